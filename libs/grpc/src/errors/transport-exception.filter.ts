import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { GrpcExceptionFilter } from './grpc-exception.filter';

/**
 * The one global filter of a hybrid app: gRPC calls get the gRPC filter's
 * statuses, HTTP requests the given filter's answers. One filter, because a
 * connected microservice shares the application's global enhancers.
 */
@Catch()
export class TransportExceptionFilter implements ExceptionFilter {
  constructor(
    private readonly http: ExceptionFilter,
    private readonly grpc: GrpcExceptionFilter = new GrpcExceptionFilter(),
  ) {}

  catch(exception: unknown, host: ArgumentsHost): unknown {
    return host.getType() === 'rpc' ? this.grpc.catch(exception, host) : this.http.catch(exception, host);
  }
}
