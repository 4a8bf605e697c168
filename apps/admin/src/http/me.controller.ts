import { Controller, Get, Req } from '@nestjs/common';
import { REASONS } from '@app/domain';
import { principalOf, type HttpRequest } from '@app/grpc';

export interface ReasonLabel {
  code: string;
  zh: string;
  en: string;
}

/** Who the token says the caller is: the dashboard's login check. Any valid token. */
@Controller('api')
export class MeController {
  @Get('me')
  me(@Req() request: HttpRequest): { subject: string; role: string } {
    const { subject, role } = principalOf(request);
    return { subject, role };
  }

  /** The reason codes in plain language, for the dashboard's labels. Any valid token. */
  @Get('reasons')
  reasons(): { reasons: ReasonLabel[] } {
    return { reasons: Object.entries(REASONS).map(([code, text]) => ({ code, zh: text.zh, en: text.en })) };
  }
}
