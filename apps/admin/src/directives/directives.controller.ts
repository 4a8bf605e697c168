import { Controller } from '@nestjs/common';
import { GrpcMethod, GrpcStreamMethod } from '@nestjs/microservices';
import type { Metadata } from '@grpc/grpc-js';
import { filter, map, type Observable } from 'rxjs';
import { directiveKind, directiveStatus, type admin } from '@app/contracts';
import { NumberCall } from '@app/audit';
import { principalOf, RoleKind, Roles } from '@app/grpc';
import { carrierOf } from '../carrier-scope';
import type { DirectiveAck } from './directive';
import { DirectiveStreams } from './directive-streams.service';
import { fromWireAck, toWireDirective, toWireDirectiveRecord } from './directives.mapper';
import { DirectivesService } from './directives.service';

@Controller()
export class DirectivesController implements Pick<
  admin.AdminServiceController,
  'issueDirective' | 'listDirectives' | 'streamDirectives'
> {
  constructor(
    private readonly directives: DirectivesService,
    private readonly streams: DirectiveStreams,
  ) {}

  @NumberCall<admin.IssueDirectiveRequest>('AdminService', 'IssueDirective', [RoleKind.Admin], (request) => ({
    detail: { kind: request.kind, idempotencyKey: request.idempotencyKey },
  }))
  async issueDirective(
    request: admin.IssueDirectiveRequest,
    metadata: Metadata,
  ): Promise<admin.IssueDirectiveResponse> {
    const { directive, replayed } = await this.directives.issue(principalOf(metadata), {
      idempotencyKey: request.idempotencyKey,
      msisdn: request.msisdn,
      kind: directiveKind.name(request.kind),
      reason: request.reason,
      expiresInHours: request.expiresInHours,
    });
    return { directive: toWireDirectiveRecord(directive), replayed };
  }

  @GrpcMethod('AdminService', 'ListDirectives')
  @Roles(RoleKind.Admin, RoleKind.Analyst)
  async listDirectives(request: admin.ListDirectivesRequest): Promise<admin.ListDirectivesResponse> {
    const page = await this.directives.list(
      { carrier: request.carrier, msisdn: request.msisdn, status: directiveStatus.name(request.status) },
      { pageSize: request.page?.pageSize, pageToken: request.page?.pageToken },
    );
    return { directives: page.directives.map(toWireDirectiveRecord), nextPageToken: page.nextPageToken };
  }

  /** The caller's carrier comes from its token: a carrier streams and acknowledges its own directives only. */
  @GrpcStreamMethod('AdminService', 'StreamDirectives')
  @Roles(RoleKind.Carrier)
  streamDirectives(
    messages: Observable<admin.StreamDirectivesRequest>,
    metadata: Metadata,
  ): Observable<admin.StreamDirectivesResponse> {
    const carrier = carrierOf(principalOf(metadata));
    const acks = messages.pipe(
      map((message) => fromWireAck(message.ack)),
      filter((ack): ack is DirectiveAck => ack !== undefined),
    );
    return this.streams.open(carrier, acks).pipe(map((directive) => ({ directive: toWireDirective(directive) })));
  }
}
