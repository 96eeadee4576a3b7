import { getContainer } from "@/server/container";

export const dynamic = "force-dynamic";

export async function GET(req: Request): Promise<Response> {
  return getContainer().restApi.health(req);
}
