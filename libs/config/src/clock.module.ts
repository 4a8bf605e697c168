import { Global, Module } from '@nestjs/common';
import { CLOCK, SYSTEM_CLOCK } from '@app/domain';

/** The wall clock for every module (tests override CLOCK). */
@Global()
@Module({ providers: [{ provide: CLOCK, useValue: SYSTEM_CLOCK }], exports: [CLOCK] })
export class ClockModule {}
