import { describeSchedulerContract } from '../../contract/scheduler.contract.js';
import { MemoryScheduler } from '../../../src/scheduler/memory-scheduler.js';

describeSchedulerContract('MemoryScheduler', async (o) => new MemoryScheduler(o), { latenessBudgetMs: 60 });
