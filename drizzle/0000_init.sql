CREATE TABLE `requests` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`media_type` text NOT NULL,
	`title` text NOT NULL,
	`year` integer,
	`poster_url` text,
	`overview` text,
	`jellyseerr_request_id` integer,
	`jellyseerr_media_id` integer,
	`tmdb_id` integer,
	`tvdb_id` integer,
	`imdb_id` text,
	`radarr_id` integer,
	`sonarr_id` integer,
	`shoko_series_id` integer,
	`jellyfin_item_id` text,
	`is_anime` integer,
	`anime_source` text,
	`requested_by` text,
	`requested_seasons` text DEFAULT '[]' NOT NULL,
	`origin` text DEFAULT 'jellyseerr' NOT NULL,
	`state` text NOT NULL,
	`state_changed_at` integer NOT NULL,
	`stuck_reason` text,
	`progress` real,
	`quality` text,
	`release_title` text,
	`indexer` text,
	`imported_path` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`available_at` integer,
	`version` integer DEFAULT 1 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `requests_state_idx` ON `requests` (`state`);--> statement-breakpoint
CREATE INDEX `requests_tmdb_idx` ON `requests` (`tmdb_id`);--> statement-breakpoint
CREATE INDEX `requests_tvdb_idx` ON `requests` (`tvdb_id`);--> statement-breakpoint
CREATE INDEX `requests_jellyseerr_idx` ON `requests` (`jellyseerr_request_id`);--> statement-breakpoint
CREATE INDEX `requests_radarr_idx` ON `requests` (`radarr_id`);--> statement-breakpoint
CREATE INDEX `requests_sonarr_idx` ON `requests` (`sonarr_id`);--> statement-breakpoint
CREATE INDEX `requests_created_idx` ON `requests` (`created_at`);--> statement-breakpoint
CREATE TABLE `episodes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`request_id` integer NOT NULL,
	`season` integer NOT NULL,
	`episode` integer NOT NULL,
	`title` text,
	`air_date_utc` integer,
	`sonarr_episode_id` integer,
	`tvdb_id` integer,
	`state` text NOT NULL,
	`state_changed_at` integer NOT NULL,
	`download_hash` text,
	`file_index` integer,
	`progress` real,
	`imported_path` text,
	`jellyfin_id` text,
	`stuck_reason` text,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`request_id`) REFERENCES `requests`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `episodes_request_season_episode_uq` ON `episodes` (`request_id`,`season`,`episode`);--> statement-breakpoint
CREATE INDEX `episodes_hash_idx` ON `episodes` (`download_hash`);--> statement-breakpoint
CREATE TABLE `downloads` (
	`hash` text NOT NULL,
	`request_id` integer NOT NULL,
	`name` text,
	`client_state` text,
	`progress` real DEFAULT 0 NOT NULL,
	`size` integer,
	`bytes_left` integer,
	`speed` integer,
	`eta` integer,
	`seeds` integer,
	`category` text,
	`save_path` text,
	`content_path` text,
	`quality` text,
	`indexer` text,
	`first_seen_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`completed_at` integer,
	PRIMARY KEY(`hash`, `request_id`),
	FOREIGN KEY (`request_id`) REFERENCES `requests`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `downloads_request_idx` ON `downloads` (`request_id`);--> statement-breakpoint
CREATE TABLE `timeline` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`request_id` integer NOT NULL,
	`episode_label` text,
	`at` integer NOT NULL,
	`kind` text NOT NULL,
	`state` text,
	`source` text NOT NULL,
	`details` text,
	`inferred` integer DEFAULT false NOT NULL,
	FOREIGN KEY (`request_id`) REFERENCES `requests`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `timeline_request_idx` ON `timeline` (`request_id`,`at`);--> statement-breakpoint
CREATE TABLE `inbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`service` text NOT NULL,
	`event_type` text NOT NULL,
	`received_at` integer NOT NULL,
	`dedupe_key` text NOT NULL,
	`body` text NOT NULL,
	`status` text NOT NULL,
	`error` text,
	`processed_at` integer,
	`attempts` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `inbox_dedupe_uq` ON `inbox` (`dedupe_key`);--> statement-breakpoint
CREATE INDEX `inbox_status_idx` ON `inbox` (`status`);--> statement-breakpoint
CREATE TABLE `changes` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`request_id` integer NOT NULL,
	`kind` text NOT NULL,
	`at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `changes_request_idx` ON `changes` (`request_id`);--> statement-breakpoint
CREATE TABLE `integrations` (
	`service` text PRIMARY KEY NOT NULL,
	`last_webhook_at` integer,
	`last_webhook_event` text,
	`last_poll_at` integer,
	`last_poll_ok_at` integer,
	`last_poll_error_at` integer,
	`last_error` text,
	`latency_ms` integer,
	`version` text,
	`health_message` text,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL
);
