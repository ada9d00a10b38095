/**
 * Labels are the creator's own notes for My links; long enough for a name and a reason. Apart
 * from link-entries.ts, so that the create form's inputs load without the entry schema.
 */
export const LABEL_MAX_CHARS = 100
