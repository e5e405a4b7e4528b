// Errors a request to the add-on can end with. The distinction that matters for money:
// - AddonDisconnectedError: nothing was sent (the link was down). Safe to retry later.
// - AddonTimeoutError: the request WAS sent and no valid answer came (timeout, the link dropped
//   while waiting, or a malformed answer). The outcome is unknown: never retry blindly; reconcile
//   by the client order id (the NT8 order name) first.
// - AddonRequestError: the add-on answered ok:false with its own code and message.

export class AddonDisconnectedError extends Error {
  readonly code = 'addon_disconnected' as const;
  constructor(message = 'The NinjaTrader add-on is not connected; nothing was sent.') {
    super(message);
    this.name = 'AddonDisconnectedError';
  }
}

export type UnknownOutcomeReason = 'timeout' | 'disconnected' | 'malformed_result';

export class AddonTimeoutError extends Error {
  readonly code = 'addon_timeout' as const;
  readonly outcomeUnknown = true as const;
  constructor(readonly method: string, readonly reason: UnknownOutcomeReason, detail: string) {
    super(`${detail} The outcome of ${method} is unknown; it was not retried.`);
    this.name = 'AddonTimeoutError';
  }
}

export class AddonRequestError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'AddonRequestError';
  }
}
