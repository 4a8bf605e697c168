import { SetMetadata } from '@nestjs/common';
import type { RoleKind } from './roles';

export const ROLES_METADATA = 'fraud:auth:roles';
export const PUBLIC_METADATA = 'fraud:auth:public';

/** Role kinds admitted by a handler (or every handler of a controller); the handler's list wins. */
export const Roles = (...kinds: RoleKind[]): MethodDecorator & ClassDecorator => SetMetadata(ROLES_METADATA, kinds);

/** A handler callable without a token. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(PUBLIC_METADATA, true);
