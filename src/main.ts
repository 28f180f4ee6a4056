// Development entry (npm run dev): the same as `candor start`.
import { main } from './cli/main.js';

await main([process.argv[0]!, process.argv[1]!, 'start']);
