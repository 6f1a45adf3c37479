export interface DevUser {
  readonly username: string;
  readonly password: string;
  readonly sub: string;
  readonly email: string;
  /** Sent as the email_verified claim. */
  readonly emailVerified: boolean;
  readonly name: string;
  readonly groups: readonly string[];
}

/** The people who can log in to the devstack provider. Passwords are for local testing only. */
export const DEV_USERS: readonly DevUser[] = [
  {
    username: 'alice',
    password: 'alice-password',
    sub: 'devstack|alice',
    email: 'alice@example.com',
    emailVerified: true,
    name: 'Alice Liddell',
    groups: ['developers'],
  },
  {
    username: 'bob',
    password: 'bob-password',
    sub: 'devstack|bob',
    email: 'bob@example.com',
    emailVerified: true,
    name: 'Bob Builder',
    groups: ['developers'],
  },
  {
    username: 'admin',
    password: 'admin-password',
    sub: 'devstack|admin',
    email: 'admin@example.com',
    emailVerified: true,
    name: 'Ada Admin',
    groups: ['cnpg-admins'],
  },
  {
    // An attacker's account: it claims the admin's email address, which the provider never verified.
    username: 'mallory',
    password: 'mallory-password',
    sub: 'devstack|mallory',
    email: 'admin@example.com',
    emailVerified: false,
    name: 'Mallory Mask',
    groups: ['developers'],
  },
];

export function findUserBySub(sub: string): DevUser | undefined {
  return DEV_USERS.find((user) => user.sub === sub);
}

export function checkPassword(username: string, password: string): DevUser | undefined {
  const user = DEV_USERS.find((candidate) => candidate.username === username);
  return user && user.password === password ? user : undefined;
}
