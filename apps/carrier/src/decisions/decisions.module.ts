import { Module } from '@nestjs/common';
import { DecisionRecorder } from './decision-recorder.service';
import { DecisionsRepository } from './decisions.repository';

@Module({
  providers: [DecisionsRepository, DecisionRecorder],
  exports: [DecisionsRepository, DecisionRecorder],
})
export class DecisionsModule {}
