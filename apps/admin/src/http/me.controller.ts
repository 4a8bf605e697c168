import { Controller, Get, Req } from '@nestjs/common';
import { principalOf, type HttpRequest } from '@app/grpc';

/** Who the token says the caller is: the dashboard's login check. Any valid token. */
@Controller('api')
export class MeController {
  @Get('me')
  me(@Req() request: HttpRequest): { subject: string; role: string } {
    const { subject, role } = principalOf(request);
    return { subject, role };
  }
}
