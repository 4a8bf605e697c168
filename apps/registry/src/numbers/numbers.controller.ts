import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import { map, type Observable } from 'rxjs';
import type { registry } from '@app/contracts';
import { RoleKind, Roles } from '@app/grpc';
import { toWireChange } from '../contract.mapper';
import { ChangeFeed, type Writable } from './change-feed.service';
import { NumbersService } from './numbers.service';

@Controller()
export class NumbersController implements Pick<registry.RegistryServiceController, 'checkNumbers' | 'watchChanges'> {
  constructor(
    private readonly numbers: NumbersService,
    private readonly feed: ChangeFeed,
  ) {}

  @GrpcMethod('RegistryService', 'CheckNumbers')
  @Roles(RoleKind.Carrier, RoleKind.Admin, RoleKind.Analyst, RoleKind.Police)
  checkNumbers(request: registry.CheckNumbersRequest): registry.CheckNumbersResponse {
    return { results: this.numbers.check(request.msisdns ?? []) };
  }

  @GrpcMethod('RegistryService', 'WatchChanges')
  @Roles(RoleKind.Carrier, RoleKind.Admin)
  watchChanges(
    request: registry.WatchChangesRequest,
    _metadata: Metadata,
    call?: Writable,
  ): Observable<registry.WatchChangesResponse> {
    const since = this.numbers.validateSince(request.sinceVersion);
    return this.feed.follow(since, call).pipe(map((change) => ({ change: toWireChange(change) })));
  }
}
