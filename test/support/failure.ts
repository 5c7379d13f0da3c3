/** What `promise` was rejected with, or null if it resolved (an assertion on the error then fails). */
export async function failureOf<E = unknown>(promise: Promise<unknown>): Promise<E | null> {
  try {
    await promise;
    return null;
  } catch (error) {
    return error as E;
  }
}
