import { Module } from '@nestjs/common';
import { AnalysisModule } from '../analysis/analysis.module';
import { CheckCallRpc } from './callcheck.rpc';
import { CallCheckService } from './callcheck.service';

/** Call setup: CheckCall is a plain gRPC handler (CheckCallRpc, listed in CARRIER_GRPC.plainRpcs). */
@Module({
  imports: [AnalysisModule],
  providers: [CallCheckService, CheckCallRpc],
  exports: [CallCheckService],
})
export class CallCheckModule {}
