import { Module } from '@nestjs/common';
import { ENV, type Env } from '@app/config';
import { RuleBudgetRepository } from '../rule-budget/rule-budget.repository';
import { DecisionRecorder } from './decision-recorder.service';
import { DecisionsController } from './decisions.controller';
import { DecisionsRepository } from './decisions.repository';
import { DecisionsService } from './decisions.service';
import { NOTICE_SENDER_CONFIG, noticeSenderConfig } from './notice-sender.config';
import { NoticeSender } from './notice-sender.service';
import { ReviewTasksRepository } from '../reviews/review-tasks.repository';
import { LoggingSmsGateway, SMS_GATEWAY } from './sms-gateway';

@Module({
  controllers: [DecisionsController],
  providers: [
    DecisionsRepository,
    DecisionRecorder,
    // Demotions are written with the decisions of their batch.
    RuleBudgetRepository,
    DecisionsService,
    // Review tasks are opened with the decisions that open them (the recorder's transaction).
    ReviewTasksRepository,
    NoticeSender,
    { provide: SMS_GATEWAY, useClass: LoggingSmsGateway },
    { provide: NOTICE_SENDER_CONFIG, inject: [ENV], useFactory: (env: Env) => noticeSenderConfig(env) },
  ],
  exports: [DecisionsRepository, DecisionRecorder, ReviewTasksRepository, RuleBudgetRepository],
})
export class DecisionsModule {}
