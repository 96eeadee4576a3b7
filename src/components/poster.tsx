"use client";

import { useState } from "react";
import { titleInitials } from "@/lib/format";

/** Deterministic hue from the title, so a stand-in keeps its colour between renders. */
function hueOf(title: string): number {
  let h = 0;
  for (const ch of title) h = (h * 31 + ch.charCodeAt(0)) % 360;
  return h;
}

/**
 * The poster over a tinted block with the title's initials. The image stays invisible until it
 * has loaded, so a missing or failed poster (or one still loading before hydration) shows the
 * initials, never a broken-image icon.
 */
export function Poster({ title, url, className = "" }: { title: string; url: string | null; className?: string }) {
  const [loaded, setLoaded] = useState(false);
  const [failed, setFailed] = useState(false);
  const hue = hueOf(title);
  return (
    <div
      data-testid="poster"
      className={`relative flex aspect-[2/3] shrink-0 items-center justify-center overflow-hidden rounded-lg ring-1 ring-white/10 ${className}`}
      style={{ background: `linear-gradient(145deg, hsl(${hue} 45% 28%), hsl(${(hue + 40) % 360} 40% 14%))` }}
    >
      <span aria-hidden className={`text-lg font-semibold tracking-wide text-white/85 ${loaded ? "invisible" : ""}`}>
        {titleInitials(title)}
      </span>
      {url && !failed && (
        // Plain img: posters come from whatever host Jellyseerr points at; no optimiser config needed.
        // eslint-disable-next-line @next/next/no-img-element
        <img
          ref={(img) => {
            // Load and error events that fired before hydration were not seen by React.
            if (img?.complete) {
              if (img.naturalWidth > 0) setLoaded(true);
              else if (img.currentSrc) setFailed(true);
            }
          }}
          src={url}
          alt=""
          loading="lazy"
          decoding="async"
          onLoad={() => setLoaded(true)}
          onError={() => setFailed(true)}
          className={`absolute inset-0 size-full object-cover transition-opacity duration-300 ${loaded ? "opacity-100" : "opacity-0"}`}
        />
      )}
    </div>
  );
}
