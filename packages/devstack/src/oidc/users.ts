export interface DevUser {
  readonly username: string;
  readonly password: string;
  readonly sub: string;
  readonly email: string;
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
    name: 'Alice Liddell',
    groups: ['developers'],
  },
  {
    username: 'bob',
    password: 'bob-password',
    sub: 'devstack|bob',
    email: 'bob@example.com',
    name: 'Bob Builder',
    groups: ['developers'],
  },
  {
    username: 'admin',
    password: 'admin-password',
    sub: 'devstack|admin',
    email: 'admin@example.com',
    name: 'Ada Admin',
    groups: ['cnpg-admins'],
  },
];

export function findUserBySub(sub: string): DevUser | undefined {
  return DEV_USERS.find((user) => user.sub === sub);
}

export function checkPassword(username: string, password: string): DevUser | undefined {
  const user = DEV_USERS.find((candidate) => candidate.username === username);
  return user && user.password === password ? user : undefined;
}
