import { DAY, sha1Hex } from "./util";

/*
 * The made-up films and series the simulated stack knows about, as TMDB/TVDB would describe them.
 * Every title, id and overview is invented; ids are plausible (TMDB 6-7 digits, TVDB 6 digits,
 * IMDb tt + 7-8 digits, AniDB 5 digits). The airing show's air dates are relative to the world's
 * start, so it always has aired and upcoming episodes.
 */

export interface Language {
  id: number;
  name: string;
}

const ENGLISH: Language = { id: 1, name: "English" };
const JAPANESE: Language = { id: 8, name: "Japanese" };

interface CommonTitle {
  key: string;
  title: string;
  year: number;
  tmdbId: number;
  imdbId: string;
  overview: string;
  genres: string[];
  originalLanguage: Language;
  /** "/xyz.jpg", appended to https://image.tmdb.org/t/p/<size> */
  posterPath: string;
  backdropPath: string;
  /** Anime: AniDB id, so Shoko can match it and Shokofin can show it. */
  anime?: { anidbId: number };
}

export interface CatalogueMovie extends CommonTitle {
  kind: "movie";
  runtime: number;
  studio: string;
  certification: string;
  inCinemas: string;
  physicalRelease: string;
}

export interface CatalogueEpisode {
  season: number;
  number: number;
  /** Anime only: absolute episode number. */
  absolute?: number;
  title: string;
  overview: string;
  tvdbId: number;
  tmdbEpisodeId: number;
  /** UTC ms; undefined when TVDB has no date yet. */
  airDateUtc?: number;
  anidbEpisodeId?: number;
}

export interface CatalogueSeason {
  seasonNumber: number;
  episodes: CatalogueEpisode[];
}

export interface CatalogueSeries extends CommonTitle {
  kind: "tv";
  tvdbId: number;
  tvMazeId: number;
  runtime: number;
  network: string;
  status: "continuing" | "ended";
  /** Local air time, e.g. "21:00". */
  airTime: string;
  seasons: CatalogueSeason[];
}

export type CatalogueTitle = CatalogueMovie | CatalogueSeries;

export function isAnime(title: CatalogueTitle): boolean {
  return title.anime !== undefined;
}

// ---------------------------------------------------------------- raw data

interface RawMovie {
  key: string;
  title: string;
  year: number;
  tmdbId: number;
  imdbId: string;
  overview: string;
  genres: string[];
  runtime: number;
  studio: string;
  certification: string;
  anidbId?: number;
}

interface RawSeason {
  /** "2022-03-03" for a finished season, or days relative to the world's start for an airing one. */
  firstAir: string | { offsetDays: number };
  episodes: string[];
}

interface RawSeries {
  key: string;
  title: string;
  year: number;
  tvdbId: number;
  tmdbId: number;
  imdbId: string;
  tvMazeId: number;
  overview: string;
  genres: string[];
  runtime: number;
  network: string;
  status: "continuing" | "ended";
  /** UTC hour:minute the episodes air. */
  airTimeUtc: string;
  anidbId?: number;
  seasons: RawSeason[];
}

const MOVIES: RawMovie[] = [
  {
    key: "lantern-keeper",
    title: "The Lantern Keeper's Daughter",
    year: 2021,
    tmdbId: 812403,
    imdbId: "tt13870214",
    overview:
      "When the last lighthouse on the Skerran coast is scheduled for automation, the keeper's daughter has one winter to prove that the light is still guiding someone home.",
    genres: ["Drama", "Mystery"],
    runtime: 112,
    studio: "Grey Gull Pictures",
    certification: "PG-13",
  },
  {
    key: "salt-and-static",
    title: "Salt and Static",
    year: 2019,
    tmdbId: 604417,
    imdbId: "tt9021558",
    overview:
      "A radio operator on a salt-mining platform picks up a broadcast that repeats tomorrow's weather, word for word, a day early.",
    genres: ["Thriller", "Science Fiction"],
    runtime: 98,
    studio: "Halfwave Films",
    certification: "R",
  },
  {
    key: "northbound-freight",
    title: "Northbound Freight",
    year: 2022,
    tmdbId: 845120,
    imdbId: "tt15328840",
    overview:
      "Two rival drivers share a cab on the last freight run before the mountain pass closes for the season, with a cargo neither of them was told about.",
    genres: ["Action", "Thriller"],
    runtime: 121,
    studio: "Ironroad Entertainment",
    certification: "R",
  },
  {
    key: "glass-harbour",
    title: "Glass Harbour",
    year: 2023,
    tmdbId: 912776,
    imdbId: "tt21094466",
    overview:
      "A glassblower returns to the harbour town she left at seventeen to restore her grandfather's workshop, and finds the town has kept every piece he ever made.",
    genres: ["Romance", "Drama"],
    runtime: 104,
    studio: "Kiln & Co.",
    certification: "PG",
  },
  {
    key: "cartographers-error",
    title: "The Cartographer's Error",
    year: 2018,
    tmdbId: 487903,
    imdbId: "tt7748156",
    overview:
      "An eighteenth-century mapmaker who invented an island to win a wager is hired to lead the first expedition to it.",
    genres: ["Adventure", "Comedy"],
    runtime: 117,
    studio: "Meridian Line",
    certification: "PG",
  },
  {
    key: "pell-street",
    title: "Midnight at Pell Street",
    year: 2024,
    tmdbId: 1017342,
    imdbId: "tt27731920",
    overview:
      "A night-shift pharmacist notices the same prescription being filled in three different names, each one a person who died last spring.",
    genres: ["Crime", "Mystery"],
    runtime: 101,
    studio: "Lamplight Features",
    certification: "R",
  },
  {
    key: "worlds-end-orchard",
    title: "An Orchard at the World's End",
    year: 2020,
    tmdbId: 703918,
    imdbId: "tt11209884",
    overview:
      "Three siblings inherit an orchard whose trees bear fruit only on the night of the first frost, and a neighbour who will do anything to buy it.",
    genres: ["Fantasy", "Family"],
    runtime: 96,
    studio: "Bramble Road",
    certification: "PG",
  },
  {
    key: "kazemachi",
    title: "Kazemachi: The Wind Post",
    year: 2020,
    tmdbId: 728154,
    imdbId: "tt12337560",
    overview:
      "In a hillside town where letters are carried by the wind, a girl apprenticed to the post office chases a letter that refuses to be delivered.",
    genres: ["Animation", "Fantasy", "Drama"],
    runtime: 108,
    studio: "Studio Hakka",
    certification: "PG",
    anidbId: 15120,
  },
  {
    key: "hoshizora-relay",
    title: "Hoshizora Relay: Last Light",
    year: 2026,
    tmdbId: 1284410,
    imdbId: "tt33120476",
    overview:
      "The final leg of the orbital relay falls to a rookie courier who has never flown beyond the moon, on the night the station lights go out.",
    genres: ["Animation", "Science Fiction"],
    runtime: 95,
    studio: "Kousen Animation",
    certification: "PG-13",
    anidbId: 19022,
  },
  {
    key: "paper-lantern-festival",
    title: "Chochin: The Paper Lantern Festival",
    year: 2022,
    tmdbId: 955321,
    imdbId: "tt18830992",
    overview:
      "A boy who repairs paper lanterns discovers that each one he mends carries a single memory of the person who lit it.",
    genres: ["Animation", "Drama"],
    runtime: 91,
    studio: "Studio Hakka",
    certification: "G",
    anidbId: 17044,
  },
];

const SERIES: RawSeries[] = [
  {
    key: "harrow-fen",
    title: "Harrow Fen",
    year: 2022,
    tvdbId: 412877,
    tmdbId: 198452,
    imdbId: "tt14932210",
    tvMazeId: 58810,
    overview:
      "A detective exiled to a drowned village in the fens investigates a bell that rings beneath the water whenever someone is about to disappear.",
    genres: ["Drama", "Mystery"],
    runtime: 52,
    network: "Northlight",
    status: "ended",
    airTimeUtc: "21:00",
    seasons: [
      {
        firstAir: "2022-03-03",
        episodes: [
          "The Drowned Bell",
          "Low Water",
          "Peat and Bone",
          "The Ferryman's Ledger",
          "Marsh Lights",
          "Sluice Gate",
          "What the Reeds Keep",
          "High Tide at Harrow",
        ],
      },
    ],
  },
  {
    key: "tinkers-ledger",
    title: "The Tinker's Ledger",
    year: 2020,
    tvdbId: 378120,
    tmdbId: 104337,
    imdbId: "tt12760418",
    tvMazeId: 49921,
    overview:
      "A travelling tinker keeps a ledger of every favour owed to her across three valleys, and decides it is time to collect.",
    genres: ["Drama", "Western"],
    runtime: 48,
    network: "Harbinger TV",
    status: "ended",
    airTimeUtc: "20:00",
    seasons: [
      {
        firstAir: "2020-10-01",
        episodes: ["Pots and Pans", "A Debt in Brass", "The Clockmaker's Widow", "Solder", "Ledger Lines", "Accounts Settled"],
      },
      {
        firstAir: "2021-10-07",
        episodes: ["New Ink", "The Copper Road", "Interest", "Foreclosure", "A Fair Price", "Balance"],
      },
    ],
  },
  {
    key: "dead-reckoning-bay",
    title: "Dead Reckoning Bay",
    year: 2019,
    tvdbId: 360412,
    tmdbId: 90218,
    imdbId: "tt9587012",
    tvMazeId: 40233,
    overview:
      "The harbour pilots of a storm-beaten bay guide ships through waters that move their own sandbanks overnight.",
    genres: ["Drama", "Adventure"],
    runtime: 44,
    network: "Coastline",
    status: "ended",
    airTimeUtc: "22:00",
    seasons: [
      {
        firstAir: "2019-04-14",
        episodes: [
          "Fix",
          "Dead Slow",
          "Shoal Water",
          "The Pilot's Log",
          "Fog Horn",
          "Compass Error",
          "Set and Drift",
          "Landfall",
          "The Light at Kerr Point",
          "Reckoning",
        ],
      },
    ],
  },
  {
    key: "copperline",
    title: "Copperline",
    year: 2026,
    tvdbId: 455901,
    tmdbId: 261774,
    imdbId: "tt32018864",
    tvMazeId: 81377,
    overview:
      "Line workers restoring power to a city after a week-long blackout find that someone has been cutting the cables from inside the grid.",
    genres: ["Drama", "Thriller"],
    runtime: 50,
    network: "Northlight",
    status: "continuing",
    airTimeUtc: "01:00",
    seasons: [
      {
        // Three episodes aired; the fourth airs a day after the world starts, then weekly.
        firstAir: { offsetDays: -20 },
        episodes: ["First Shift", "Live Wire", "Junction Box", "Ground Fault", "Overload", "Short Circuit", "Blackout", "Power Restored"],
      },
    ],
  },
  {
    key: "tsukiyo-couriers",
    title: "Tsukiyo Couriers",
    year: 2023,
    tvdbId: 421560,
    tmdbId: 213884,
    imdbId: "tt26443190",
    tvMazeId: 64102,
    overview:
      "A courier company that only delivers between midnight and dawn hires a girl who cannot sleep, and every parcel she carries comes with a ghost.",
    genres: ["Animation", "Comedy", "Fantasy"],
    runtime: 24,
    network: "Tokyo MX",
    status: "ended",
    airTimeUtc: "15:30",
    anidbId: 17455,
    seasons: [
      {
        firstAir: "2023-04-06",
        episodes: [
          "The Midnight Parcel",
          "Rooftop Route",
          "Return to Sender",
          "Fragile",
          "Express Delivery",
          "The Lost Letter",
          "Signature Required",
          "Rain Delay",
          "Address Unknown",
          "Last Pickup",
          "Priority Mail",
          "Delivered by Moonlight",
        ],
      },
    ],
  },
  {
    key: "ironleaf-academy",
    title: "Ironleaf Academy",
    year: 2021,
    tvdbId: 398731,
    tmdbId: 127930,
    imdbId: "tt14206350",
    tvMazeId: 55317,
    overview:
      "At a boarding school where every student is bonded to a tree, a transfer student arrives bonded to a seed that has not sprouted.",
    genres: ["Animation", "Fantasy"],
    runtime: 24,
    network: "AT-X",
    status: "ended",
    airTimeUtc: "14:00",
    anidbId: 15874,
    seasons: [
      {
        firstAir: "2021-07-03",
        episodes: [
          "Entrance Exam",
          "The Greenhouse Oath",
          "Roots",
          "Grafting",
          "The Winter Term",
          "Pruning",
          "Cross-Pollination",
          "The Blight",
          "Canopy",
          "Seed Vault",
          "Harvest Festival",
          "Ironleaf",
        ],
      },
    ],
  },
];

// ---------------------------------------------------------------- building

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** A TMDB-style image path, "/A9R6bukzzRmOzxvDQsXdQpeNm8l.jpg". */
function imagePath(seed: string): string {
  const hex = sha1Hex(seed) + sha1Hex(`${seed}+`);
  let out = "";
  for (let i = 0; i < 27; i++) out += BASE62[parseInt(hex.slice(i * 2, i * 2 + 2), 16) % 62];
  return `/${out}.jpg`;
}

function numberFrom(seed: string, min: number, span: number): number {
  return min + (parseInt(sha1Hex(seed).slice(0, 8), 16) % span);
}

function episodeOverview(series: string, title: string): string {
  return `${title}: a new chapter of ${series}.`;
}

function buildMovie(raw: RawMovie): CatalogueMovie {
  const cinema = Date.UTC(raw.year, numberFrom(`${raw.key}:month`, 0, 9), numberFrom(`${raw.key}:day`, 1, 27));
  return {
    kind: "movie",
    key: raw.key,
    title: raw.title,
    year: raw.year,
    tmdbId: raw.tmdbId,
    imdbId: raw.imdbId,
    overview: raw.overview,
    genres: raw.genres,
    originalLanguage: raw.anidbId ? JAPANESE : ENGLISH,
    posterPath: imagePath(`${raw.key}:poster`),
    backdropPath: imagePath(`${raw.key}:backdrop`),
    anime: raw.anidbId ? { anidbId: raw.anidbId } : undefined,
    runtime: raw.runtime,
    studio: raw.studio,
    certification: raw.certification,
    inCinemas: new Date(cinema).toISOString().slice(0, 10),
    physicalRelease: new Date(cinema + 95 * DAY).toISOString().slice(0, 10),
  };
}

function buildSeries(raw: RawSeries, worldStart: number): CatalogueSeries {
  const [hour, minute] = raw.airTimeUtc.split(":").map(Number);
  let absolute = 0;
  const seasons = raw.seasons.map((season, index): CatalogueSeason => {
    const seasonNumber = index + 1;
    const first =
      typeof season.firstAir === "string"
        ? Date.parse(`${season.firstAir}T${raw.airTimeUtc}:00Z`)
        : // Relative: the day offset from the world's start, at the show's air time.
          Date.UTC(
            new Date(worldStart).getUTCFullYear(),
            new Date(worldStart).getUTCMonth(),
            new Date(worldStart).getUTCDate() + season.firstAir.offsetDays,
            hour,
            minute,
          );
    return {
      seasonNumber,
      episodes: season.episodes.map((title, i): CatalogueEpisode => {
        absolute++;
        const seed = `${raw.key}:S${seasonNumber}E${i + 1}`;
        return {
          season: seasonNumber,
          number: i + 1,
          absolute: raw.anidbId ? absolute : undefined,
          title,
          overview: episodeOverview(raw.title, title),
          tvdbId: numberFrom(`${seed}:tvdb`, 8_100_000, 1_800_000),
          tmdbEpisodeId: numberFrom(`${seed}:tmdb`, 2_100_000, 3_000_000),
          airDateUtc: first + i * 7 * DAY,
          anidbEpisodeId: raw.anidbId ? numberFrom(`${seed}:anidb`, 210_000, 90_000) : undefined,
        };
      }),
    };
  });
  return {
    kind: "tv",
    key: raw.key,
    title: raw.title,
    year: raw.year,
    tmdbId: raw.tmdbId,
    imdbId: raw.imdbId,
    overview: raw.overview,
    genres: raw.genres,
    originalLanguage: raw.anidbId ? JAPANESE : ENGLISH,
    posterPath: imagePath(`${raw.key}:poster`),
    backdropPath: imagePath(`${raw.key}:backdrop`),
    anime: raw.anidbId ? { anidbId: raw.anidbId } : undefined,
    tvdbId: raw.tvdbId,
    tvMazeId: raw.tvMazeId,
    runtime: raw.runtime,
    network: raw.network,
    status: raw.status,
    airTime: raw.airTimeUtc,
    seasons,
  };
}

export class Catalogue {
  readonly titles: ReadonlyMap<string, CatalogueTitle>;

  constructor(worldStart: number) {
    const titles = new Map<string, CatalogueTitle>();
    for (const raw of MOVIES) titles.set(raw.key, buildMovie(raw));
    for (const raw of SERIES) titles.set(raw.key, buildSeries(raw, worldStart));
    this.titles = titles;
  }

  get(key: string): CatalogueTitle {
    const title = this.titles.get(key);
    if (!title) throw new Error(`Unknown catalogue title "${key}"; known: ${[...this.titles.keys()].join(", ")}`);
    return title;
  }

  movie(key: string): CatalogueMovie {
    const title = this.get(key);
    if (title.kind !== "movie") throw new Error(`"${key}" is a series, not a film`);
    return title;
  }

  series(key: string): CatalogueSeries {
    const title = this.get(key);
    if (title.kind !== "tv") throw new Error(`"${key}" is a film, not a series`);
    return title;
  }

  byTmdb(mediaType: "movie" | "tv", tmdbId: number): CatalogueTitle | undefined {
    return [...this.titles.values()].find((t) => t.kind === mediaType && t.tmdbId === tmdbId);
  }

  all(): CatalogueTitle[] {
    return [...this.titles.values()];
  }
}

export function posterUrl(path: string, size = "w600_and_h900_bestv2"): string {
  return `https://image.tmdb.org/t/p/${size}${path}`;
}
