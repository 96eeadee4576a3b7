import { getContainer } from "@/server/container";

export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ service: string }> };

// Sonarr and Radarr may be set to PUT instead of POST.
export async function POST(req: Request, ctx: Ctx): Promise<Response> {
  return getContainer().webhooks.handle((await ctx.params).service, req);
}
export const PUT = POST;
