import { Module } from '@nestjs/common';
import { AnalysisModule } from '../analysis/analysis.module';
import { RuleBudgetController } from './rule-budget.controller';
import { RuleBudgetService } from './rule-budget.service';

/** The error budget per rule: ListRuleBudgets and ReenableRule (RuleBudgetRepository comes with the decisions). */
@Module({
  imports: [AnalysisModule],
  controllers: [RuleBudgetController],
  providers: [RuleBudgetService],
})
export class RuleBudgetModule {}
