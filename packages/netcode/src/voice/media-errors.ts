/**
 * What a failed `getUserMedia` means for the player, as a value the game can show
 * (https://w3c.github.io/mediacapture-main/#dom-mediadevices-getusermedia).
 */

/** Why voice could not start: the player said no, there is no microphone, the browser cannot, or something else. */
export type VoiceFailure = 'denied' | 'no-device' | 'unsupported' | 'error';

/** Maps a `getUserMedia` rejection (a DOMException, or an older browser's names) to a `VoiceFailure`. */
export function classifyMediaError(error: unknown): VoiceFailure {
  const name = typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : '';
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
    case 'SecurityError':
      return 'denied';
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
    case 'ConstraintNotSatisfiedError':
      return 'no-device';
    case 'NotSupportedError':
      return 'unsupported';
    default:
      // NotReadableError (the device is busy or failed), AbortError, anything else.
      return 'error';
  }
}
