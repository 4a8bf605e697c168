import { Body, Controller, Get, Post, Query, Req, Res } from '@nestjs/common';
import { directiveKind, directiveStatus, type admin } from '@app/contracts';
import { Audited } from '@app/audit';
import { principalOf, RoleKind, Roles, type HttpRequest } from '@app/grpc';
import { toWireDirectiveRecord } from '../directives/directives.mapper';
import { DirectivesService } from '../directives/directives.service';
import { idempotencyKeyOr } from './idempotency';
import { protoJson, type Json } from './proto-json';
import { bodyObject, bodyString, optionalInteger, optionalQuery, type QueryValues } from './request-input';

interface StatusSink {
  status(code: number): unknown;
}

/** The dashboard's directives: the administration issues, analysts read. */
@Controller('api/directives')
export class DirectivesHttpController {
  constructor(private readonly directives: DirectivesService) {}

  @Get()
  @Roles(RoleKind.Admin, RoleKind.Analyst)
  async list(@Query() query: QueryValues): Promise<Json<admin.ListDirectivesResponse>> {
    const page = await this.directives.list(
      {
        carrier: optionalQuery(query, 'carrier'),
        msisdn: optionalQuery(query, 'msisdn'),
        status: directiveStatus.name(optionalQuery(query, 'status')),
      },
      {
        pageSize: optionalInteger(optionalQuery(query, 'pageSize'), 'pageSize', 1, 1000),
        pageToken: optionalQuery(query, 'pageToken'),
      },
    );
    return protoJson({ directives: page.directives.map(toWireDirectiveRecord), nextPageToken: page.nextPageToken });
  }

  /** 201 with the new directive; 200 with the stored one when its key was seen before (`replayed`). */
  @Post()
  @Roles(RoleKind.Admin)
  @Audited<{ msisdn?: unknown; kind?: unknown; idempotencyKey?: unknown }>((body) => ({
    target: typeof body.msisdn === 'string' ? body.msisdn.slice(0, 32) : undefined,
    detail: { kind: body.kind, idempotencyKey: body.idempotencyKey },
  }))
  async issue(
    @Req() request: HttpRequest,
    @Body() body: unknown,
    @Res({ passthrough: true }) response: StatusSink,
  ): Promise<Json<admin.DirectiveRecord> & { replayed: boolean }> {
    const input = bodyObject(body);
    const { directive, replayed } = await this.directives.issue(principalOf(request), {
      idempotencyKey: idempotencyKeyOr(bodyString(input, 'idempotencyKey', false)),
      msisdn: bodyString(input, 'msisdn', true),
      // `DIRECTIVE_KIND_SUSPEND` and `SUSPEND` are the same (the API's JSON uses the proto's names).
      kind: directiveKind.name(bodyString(input, 'kind', true)),
      reason: bodyString(input, 'reason', true),
      // Whole numbers only here; the service caps it at DIRECTIVE_TTL_HOURS.
      expiresInHours: optionalInteger(input.expiresInHours, 'expiresInHours', 0, 100_000),
    });
    response.status(replayed ? 200 : 201);
    return { ...protoJson(toWireDirectiveRecord(directive)), replayed };
  }
}
