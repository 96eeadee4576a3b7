import { getContainer } from "@/server/container";

export const dynamic = "force-dynamic";

export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }): Promise<Response> {
  return getContainer().restApi.getRequest(req, (await ctx.params).id);
}
