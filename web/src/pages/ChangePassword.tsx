// Shown instead of the app when the user's password was generated or reset by an administrator: they must
// choose their own before doing anything else (the API grants no permissions until then).
import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { api, setCsrfToken } from '../api/client';
import type { Session } from '../api/types';
import { FormError } from '../components/FormError';
import { useFormErrors } from '../lib/forms';
import { SESSION_KEY, useSession } from '../lib/session';

export function ChangePasswordPage({ forced }: { forced: boolean }) {
  const qc = useQueryClient();
  const { session, signOut } = useSession();
  const errors = useFormErrors();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [busy, setBusy] = useState(false);
  const mismatch = repeat !== '' && next !== repeat;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (mismatch) return;
    setBusy(true);
    errors.clear();
    try {
      const s: Session = await api.post('/api/v1/auth/password', {
        body: { currentPassword: current, newPassword: next },
      });
      setCsrfToken(s.csrfToken);
      qc.setQueryData(SESSION_KEY, s);
    } catch (err) {
      errors.set(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Center mih={forced ? '100vh' : undefined} bg={forced ? 'gray.1' : undefined} py="xl">
      <Paper withBorder p="xl" w={420} radius="md">
        <form onSubmit={submit} noValidate data-testid="change-password-form">
          <Stack gap="sm">
            <Title order={4}>Choose a new password</Title>
            {forced && (
              <Alert color="blue" variant="light" p="xs">
                {session.user.name}, your password was set by an administrator. Choose your own to continue.
              </Alert>
            )}
            <FormError errors={errors} shown={['currentPassword', 'newPassword']} />
            <PasswordInput
              label={forced ? 'Password you were given' : 'Current password'}
              autoComplete="current-password"
              value={current}
              onChange={(e) => setCurrent(e.currentTarget.value)}
              error={errors.field('currentPassword')}
              data-testid="current-password"
            />
            <PasswordInput
              label="New password"
              description="At least 12 characters; not a common password"
              autoComplete="new-password"
              value={next}
              onChange={(e) => setNext(e.currentTarget.value)}
              error={errors.field('newPassword')}
              data-testid="new-password"
            />
            <PasswordInput
              label="Repeat new password"
              autoComplete="new-password"
              value={repeat}
              onChange={(e) => setRepeat(e.currentTarget.value)}
              error={mismatch ? 'does not match' : undefined}
              data-testid="repeat-password"
            />
            <Button
              type="submit"
              loading={busy}
              disabled={!current || !next || mismatch}
              data-testid="change-password-submit"
            >
              Save password
            </Button>
            {forced && (
              <Text size="xs" ta="center">
                <Button variant="subtle" size="compact-xs" onClick={() => void signOut()}>
                  Sign out
                </Button>
              </Text>
            )}
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
