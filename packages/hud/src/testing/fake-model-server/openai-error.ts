// The error body both OpenAI APIs send: `{error: {message, type, param, code}}`.

export function openaiError(status: number, message: string) {
  if (status === 429)
    return { error: { message, type: "requests", param: null, code: "rate_limit_exceeded" } };
  if (status >= 500) return { error: { message, type: "server_error", param: null, code: null } };
  const code = status === 401 ? "invalid_api_key" : status === 404 ? "not_found" : null;
  return { error: { message, type: "invalid_request_error", param: null, code } };
}
