import { describeSchedulerContract } from '../../contract/scheduler.contract.js';
import { MemoryScheduler } from '../../../src/scheduler/zz-mut-memory.js';
describeSchedulerContract('Mutant', async (o) => new MemoryScheduler(o), { latenessBudgetMs: 60 });
