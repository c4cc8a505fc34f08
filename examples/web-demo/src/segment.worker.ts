/** The web worker that runs segment() off the page's thread (see SegmentWorker in main.ts). */
import { serveSegmentRequests } from '@hadnet/infer-web';

serveSegmentRequests();
