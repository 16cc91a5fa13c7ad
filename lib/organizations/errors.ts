import { AppError } from "../errors";

/** Dataverse could not be read (down, wrong credentials, no access): the message says which, in plain words. */
export class SourceUnavailableError extends AppError {
  override readonly status = 502;
  override readonly code = "SourceUnavailable";
  constructor(message: string) {
    super(message);
    this.name = "SourceUnavailableError";
  }
}

/**
 * A stored secret of the organization cannot be decrypted (written with another encryption key, or
 * changed in the store). The admin's way out is to enter it again: the message says where.
 */
export class UnreadableSecretError extends AppError {
  override readonly status = 409;
  override readonly code = "SecretUnreadable";
  constructor(readonly organizationId: string, name: string) {
    super(
      `The client secret of ${name} cannot be decrypted: it was written with another encryption key, or changed in the store. ` +
        `An admin can enter it again: Organizations → ${name} → Edit (/organizations/${organizationId}/edit).`,
    );
    this.name = "UnreadableSecretError";
  }
}
