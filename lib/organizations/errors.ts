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
