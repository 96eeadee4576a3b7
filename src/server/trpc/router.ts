import { router, createCallerFactory } from "./init";
import { requestsRouter } from "./routers/requests";
import { adminRouter } from "./routers/admin";
import { demoRouter } from "./routers/demo";

export const appRouter = router({
  requests: requestsRouter,
  admin: adminRouter,
  demo: demoRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
