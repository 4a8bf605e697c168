import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import { map, type Observable } from 'rxjs';
import type { registry } from '@app/contracts';
import { RoleKind, Roles } from '@app/grpc';
import { toWireChange } from '../contract.mapper';
import { ChangeFeed, type Writable } from './change-feed.service';
import { CHECK_NUMBERS_ROLES, NumbersService } from './numbers.service';

@Controller()
export class NumbersController implements Pick<registry.RegistryServiceController, 'checkNumbers' | 'watchChanges'> {
  constructor(
    private readonly numbers: NumbersService,
    private readonly feed: ChangeFeed,
  ) {}

  // Fully qualified: fraud.registry.v2.RegistryService has a CheckNumbers too (a plain handler, CheckNumbersV2Rpc).
  @GrpcMethod('fraud.registry.v1.RegistryService', 'CheckNumbers')
  @Roles(...CHECK_NUMBERS_ROLES)
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
