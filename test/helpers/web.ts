import { hashPassword } from '../../src/auth/password.js';
import type { WebUser } from '../../src/web/auth.js';

/** Passwords of the test accounts (cheap scrypt cost: tests log in many times). */
export const PASSWORDS = { admin: 'admin-password-1', viewer: 'viewer-password-1' } as const;

const CHEAP = { N: 1024, r: 8, p: 1 };

/** An admin `admin` and a viewer `viewer`, as config `http.users` holds them. */
export async function testUsers(): Promise<WebUser[]> {
  return [
    { name: 'admin', role: 'admin', passwordHash: await hashPassword(PASSWORDS.admin, CHEAP) },
    { name: 'viewer', role: 'viewer', passwordHash: await hashPassword(PASSWORDS.viewer, CHEAP) },
  ];
}

/** `Authorization: Basic …` for a test account. */
export function basic(user: keyof typeof PASSWORDS, password: string = PASSWORDS[user]): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` };
}
