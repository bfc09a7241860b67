/**
 * What a failed `getUserMedia` means for the player, as a value the game can show
 * (https://w3c.github.io/mediacapture-main/#dom-mediadevices-getusermedia).
 */

/** Why a device could not start: the player said no, there is no such device, the browser cannot, or something else. */
export type MediaFailure = 'denied' | 'no-device' | 'unsupported' | 'error';

/**
 * Maps a `getUserMedia` rejection (a DOMException) to a `MediaFailure`. The pre-2017 names
 * (`PermissionDeniedError`, `DevicesNotFoundError`, ...) come only from browsers without the
 * `RTCRtpTransceiver` the mesh needs, so they are not looked for.
 */
export function classifyMediaError(error: unknown): MediaFailure {
  const name = typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'denied';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'no-device';
    case 'NotSupportedError':
      return 'unsupported';
    default:
      // NotReadableError (the device is busy or failed), AbortError, anything else.
      return 'error';
  }
}
