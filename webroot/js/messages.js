// Sentences for API errors: the server's own message, with waits spelled out.
import { formatWait } from './ui.js';

export function describe(error) {
  if (error.code === 'rate_limited') {
    const wait = error.retryAfterSeconds ? ' Try again in ' + formatWait(error.retryAfterSeconds) + '.' : ' Try again later.';
    return 'Too many attempts.' + wait;
  }
  if (error.code === 'unavailable') {
    return 'The service is briefly unavailable. Try again in a moment.';
  }
  return error.message;
}
