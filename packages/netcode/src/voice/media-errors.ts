/** Voice's failures are the media layer's (media/media-errors.ts). */
import type { MediaFailure } from '../media/media-errors.js';

export { classifyMediaError } from '../media/media-errors.js';
/** Why voice could not start: the player said no, there is no microphone, the browser cannot, or something else. */
export type VoiceFailure = MediaFailure;
