// Sign-in: email and password against POST /api/v1/auth/login. Wrong credentials and throttling come back
// as problems whose detail is shown as is (the API words them for people).
import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { type ApiError, api, asApiError, setCsrfToken } from '../api/client';
import { navigate } from '../lib/router';
import { SESSION_KEY } from '../lib/session';

export function LoginPage() {
  const qc = useQueryClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const session = await api.post('/api/v1/auth/login', { body: { email: email.trim(), password } });
      setCsrfToken(session.csrfToken);
      const path = window.location.pathname;
      if (path === '/' || path === '/login') navigate('/partners', { replace: true });
      qc.setQueryData(SESSION_KEY, session);
    } catch (err) {
      setError(asApiError(err));
      setPassword('');
    } finally {
      setBusy(false);
    }
  }

  const fields = error?.fieldErrors() ?? {};
  const throttled = error?.status === 429;
  const retryAfter =
    typeof error?.extra.retryAfterSeconds === 'number' ? error.extra.retryAfterSeconds : null;

  return (
    <Center mih="100vh" bg="gray.1">
      <Paper withBorder shadow="sm" p="xl" w={380} radius="md">
        <form onSubmit={submit} noValidate data-testid="login-form">
          <Stack gap="md">
            <div>
              <Title order={3}>Partnerdesk</Title>
              <Text size="sm" c="dimmed">
                Sign in to continue
              </Text>
            </div>
            {error && (
              <Alert
                color={throttled ? 'orange' : 'red'}
                variant="light"
                title={
                  throttled ? 'Too many attempts' : error.status === 401 ? 'Sign-in failed' : 'Cannot sign in'
                }
                data-testid="login-error"
              >
                {error.detail}
                {throttled && retryAfter !== null && (
                  <Text size="xs" mt={4}>
                    You can try again after {new Date(Date.now() + retryAfter * 1000).toLocaleTimeString()}.
                  </Text>
                )}
                {error.requestId && error.status >= 500 && (
                  <Text size="xs" c="dimmed" mt={4}>
                    request id {error.requestId}
                  </Text>
                )}
              </Alert>
            )}
            <TextInput
              label="Email"
              type="email"
              autoComplete="username"
              autoFocus
              required
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
              error={fields.email}
              data-testid="login-email"
            />
            <PasswordInput
              label="Password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
              error={fields.password}
              data-testid="login-password"
            />
            <Button type="submit" loading={busy} disabled={!email || !password} data-testid="login-submit">
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
