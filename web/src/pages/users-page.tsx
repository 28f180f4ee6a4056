import { Fragment, useState } from 'react';
import { get, patch, post } from '../api';
import { T, useFormatDate, Time } from '../i18n';
import { useSession, type Role } from '../session';
import { ConfirmButton } from '../ui/actions';
import { Badge, ErrorNotice, Loading, Notice } from '../ui/feedback';
import { Button, RolePicker } from '../ui/form';
import { useAction, useLoad } from '../ui/hooks';
import { PageHeader, Section } from '../ui/layout';
import { InvitationsSection } from './invitations-section';
import { RoleList } from './roles';

export interface UserView {
  id: string;
  email: string;
  displayName: string;
  roles: Role[];
  status: string;
  locale: string | null;
  totp: boolean;
  passkeys: number;
  throttledUntil: string | null;
  lastSignInAt: string | null;
  createdAt: string;
}

export function UsersPage() {
  const users = useLoad(() => get<UserView[]>('/api/users'));
  return (
    <>
      <PageHeader heading="app.users.title" intro={<T id="app.users.intro" />} />
      <InvitationsSection />
      <Section title={<T id="app.users.people" />}>
        <ErrorNotice error={users.error} />
        {users.loading && !users.data ? (
          <Loading />
        ) : (
          users.data && (
            <UserTable
              users={users.data}
              onChange={(updated) =>
                users.setData((list) => list?.map((u) => (u.id === updated.id ? updated : u)))
              }
            />
          )
        )}
      </Section>
    </>
  );
}

function UserTable({ users, onChange }: { users: UserView[]; onChange(user: UserView): void }) {
  const { session } = useSession();
  const formatDate = useFormatDate();
  const [editing, setEditing] = useState<string>();
  const [roles, setRoles] = useState<Role[]>([]);
  const { run, pending, error } = useAction();

  async function act(user: UserView, action: 'deactivate' | 'reactivate' | 'reset-mfa' | 'unlock') {
    const updated = await run(() => post<UserView>(`/api/users/${user.id}/${action}`));
    if (updated) onChange(updated);
  }

  async function saveRoles(user: UserView) {
    const updated = await run(() => patch<UserView>(`/api/users/${user.id}`, { roles }));
    if (updated) {
      onChange(updated);
      setEditing(undefined);
    }
  }

  return (
    <>
      <ErrorNotice error={error} />
      <div className="table-wrap">
        <table className="table">
          <thead>
            <tr>
              <th scope="col">
                <T id="app.users.col.person" />
              </th>
              <th scope="col">
                <T id="app.field.roles" />
              </th>
              <th scope="col">
                <T id="app.users.col.status" />
              </th>
              <th scope="col">
                <T id="app.users.col.mfa" />
              </th>
              <th scope="col">
                <T id="app.users.col.lastSignIn" />
              </th>
              <th scope="col">
                <span className="visually-hidden">
                  <T id="app.users.col.actions" />
                </span>
              </th>
            </tr>
          </thead>
          <tbody>
            {users.map((user) => {
              const self = user.id === session?.user?.id;
              const locked = user.throttledUntil && new Date(user.throttledUntil) > new Date();
              return (
                <Fragment key={user.id}>
                  <tr data-testid={`user-${user.email}`}>
                    <td>
                      <span className="person">
                        <span className="person-name">
                          {user.displayName}
                          {self && (
                            <Badge>
                              <T id="app.users.you" />
                            </Badge>
                          )}
                        </span>
                        <span className="person-email">{user.email}</span>
                      </span>
                    </td>
                    <td>
                      <RoleList roles={user.roles} />
                    </td>
                    <td>
                      <span className="stack-tight">
                        {user.status === 'active' ? (
                          <Badge tone="success">
                            <T id="app.users.status.active" />
                          </Badge>
                        ) : (
                          <Badge tone="danger">
                            <T id="app.users.status.deactivated" />
                          </Badge>
                        )}
                        {locked && (
                          <Badge tone="warning">
                            <T
                              id="app.users.lockedUntil"
                              values={{ time: <Time value={user.throttledUntil} /> }}
                            />
                          </Badge>
                        )}
                      </span>
                    </td>
                    <td>
                      {user.totp || user.passkeys > 0 ? (
                        <span className="stack-tight">
                          {user.totp && (
                            <Badge tone="success">
                              <T id="app.users.mfa.totp" />
                            </Badge>
                          )}
                          {user.passkeys > 0 && (
                            <Badge tone="success">
                              <T id="app.count.passkeys" values={{ count: user.passkeys }} />
                            </Badge>
                          )}
                        </span>
                      ) : (
                        <Badge tone="warning">
                          <T id="app.users.mfa.none" />
                        </Badge>
                      )}
                    </td>
                    <td>{user.lastSignInAt ? formatDate(user.lastSignInAt) : <T id="app.users.never" />}</td>
                    <td>
                      <div className="row-actions">
                        {locked && (
                          <Button pending={pending} onClick={() => void act(user, 'unlock')}>
                            <T id="app.users.unlock" />
                          </Button>
                        )}
                        <Button
                          onClick={() => {
                            setRoles(user.roles);
                            setEditing(editing === user.id ? undefined : user.id);
                          }}
                          aria-expanded={editing === user.id}
                        >
                          <T id="app.users.editRoles" />
                        </Button>
                        {!self && (user.totp || user.passkeys > 0) && (
                          <ConfirmButton
                            question={<T id="app.users.resetMfa.question" />}
                            confirmLabel={<T id="app.users.resetMfa" />}
                            onConfirm={() => act(user, 'reset-mfa')}
                          >
                            <T id="app.users.resetMfa" />
                          </ConfirmButton>
                        )}
                        {!self &&
                          (user.status === 'active' ? (
                            <ConfirmButton
                              question={<T id="app.users.deactivate.question" />}
                              confirmLabel={<T id="app.users.deactivate" />}
                              onConfirm={() => act(user, 'deactivate')}
                            >
                              <T id="app.users.deactivate" />
                            </ConfirmButton>
                          ) : (
                            <Button onClick={() => void act(user, 'reactivate')}>
                              <T id="app.users.reactivate" />
                            </Button>
                          ))}
                      </div>
                    </td>
                  </tr>
                  {editing === user.id && (
                    <tr className="row-editor">
                      <td colSpan={6}>
                        <RolePicker
                          value={roles}
                          onChange={setRoles}
                          legend={<T id="app.users.rolesOf" values={{ name: user.displayName }} />}
                        />
                        {roles.length === 0 && (
                          <Notice tone="warning">
                            <p>
                              <T id="app.users.rolesNeeded" />
                            </p>
                          </Notice>
                        )}
                        <div className="row">
                          <Button
                            variant="primary"
                            pending={pending}
                            disabled={roles.length === 0}
                            onClick={() => void saveRoles(user)}
                          >
                            <T id="app.action.save" />
                          </Button>
                          <Button variant="ghost" onClick={() => setEditing(undefined)}>
                            <T id="app.action.cancel" />
                          </Button>
                        </div>
                      </td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      </div>
    </>
  );
}
