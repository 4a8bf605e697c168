import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { carrier } from '@app/contracts';
import { RoleKind, Roles } from '@app/grpc';
import { CallCheckService } from './callcheck.service';

@Controller()
export class CallCheckController implements Pick<carrier.CarrierServiceController, 'checkCall'> {
  constructor(private readonly calls: CallCheckService) {}

  /** Not audited: it runs for every call set up on the network. */
  @GrpcMethod('CarrierService', 'CheckCall')
  @Roles(RoleKind.Carrier)
  checkCall(request: carrier.CheckCallRequest): carrier.CheckCallResponse {
    return this.calls.check(request.caller, request.callee);
  }
}
