CREATE TABLE `deletion_steps` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`deletion_id` integer NOT NULL,
	`position` integer NOT NULL,
	`step` text NOT NULL,
	`status` text NOT NULL,
	`message` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`started_at` integer,
	`finished_at` integer,
	FOREIGN KEY (`deletion_id`) REFERENCES `deletions`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `deletion_steps_uq` ON `deletion_steps` (`deletion_id`,`step`);--> statement-breakpoint
CREATE TABLE `deletions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`request_id` integer NOT NULL,
	`title` text NOT NULL,
	`media_type` text NOT NULL,
	`source` text NOT NULL,
	`deleted_by` text NOT NULL,
	`deleted_files` integer NOT NULL,
	`status` text NOT NULL,
	`ids` text NOT NULL,
	`started_at` integer NOT NULL,
	`finished_at` integer,
	FOREIGN KEY (`request_id`) REFERENCES `requests`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `deletions_request_idx` ON `deletions` (`request_id`);--> statement-breakpoint
CREATE INDEX `deletions_started_idx` ON `deletions` (`started_at`);