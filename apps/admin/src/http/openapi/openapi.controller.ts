import { Controller, Get, Header } from '@nestjs/common';
import { Public } from '@app/grpc';
import { docsPage } from './docs-page';
import { OPENAPI_DOCUMENT, type OpenApiDocument } from './openapi.document';

/** The API's description, public like the login page: it holds no data. */
@Controller('api')
@Public()
export class OpenApiController {
  private readonly page = docsPage(OPENAPI_DOCUMENT);

  @Get('openapi.json')
  document(): OpenApiDocument {
    return OPENAPI_DOCUMENT;
  }

  @Get('docs')
  @Header('content-type', 'text/html; charset=utf-8')
  docs(): string {
    return this.page;
  }
}
