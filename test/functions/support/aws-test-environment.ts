/**
 * The SDK signs every request, so it needs a region and some credentials even
 * against local stand-ins. Dummy values, set for this test process only.
 */
export function useDummyAwsCredentials(): void {
  process.env["AWS_REGION"] = "us-east-1";
  process.env["AWS_ACCESS_KEY_ID"] = "test";
  process.env["AWS_SECRET_ACCESS_KEY"] = "test";
  delete process.env["AWS_PROFILE"];
  delete process.env["AWS_SESSION_TOKEN"];
}
