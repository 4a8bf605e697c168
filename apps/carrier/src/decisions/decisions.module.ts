import { Module } from '@nestjs/common';
import { ENV, type Env } from '@app/config';
import { RuleBudgetRepository } from '../rule-budget/rule-budget.repository';
import { DecisionRecorder } from './decision-recorder.service';
import { DecisionsController } from './decisions.controller';
import { DecisionsRepository } from './decisions.repository';
import { DecisionsService } from './decisions.service';
import { NOTICE_SENDER_CONFIG, noticeSenderConfig } from './notice-sender.config';
import { NoticeSender } from './notice-sender.service';
import { LoggingSmsGateway, SMS_GATEWAY } from './sms-gateway';

@Module({
  controllers: [DecisionsController],
  providers: [
    DecisionsRepository,
    DecisionRecorder,
    // Demotions are written with the decisions of their batch.
    RuleBudgetRepository,
    DecisionsService,
    NoticeSender,
    { provide: SMS_GATEWAY, useClass: LoggingSmsGateway },
    { provide: NOTICE_SENDER_CONFIG, inject: [ENV], useFactory: (env: Env) => noticeSenderConfig(env) },
  ],
  exports: [DecisionsRepository, DecisionRecorder, RuleBudgetRepository],
})
export class DecisionsModule {}
