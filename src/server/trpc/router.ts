import { router, createCallerFactory } from "./init";
import { requestsRouter } from "./routers/requests";
import { adminRouter } from "./routers/admin";

export const appRouter = router({
  requests: requestsRouter,
  admin: adminRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
