// The frame around every signed-in page: navigation on the left (only what the user's permissions allow),
// the user and sign-out at the top, global shortcuts (`/` search, `g w` my work, `g p` partners, `g b` pipeline,
// `g a` approvals).
import {
  AppShell,
  Badge,
  Burger,
  Group,
  Kbd,
  Menu,
  NavLink,
  ScrollArea,
  Text,
  Tooltip,
  UnstyledButton,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import type { ReactNode } from 'react';
import { humanize } from './lib/format';
import { useGlobalHotkeys } from './lib/hotkeys';
import { Link, navigate, usePathname } from './lib/router';
import { useSession } from './lib/session';
import { NAV, type NavItem } from './nav';

const GO_TO = { p: '/partners', a: '/approvals', w: '/my-work', b: '/pipeline' };

export function Shell({
  children,
  approvalsCount,
  workCounts,
}: {
  children: ReactNode;
  approvalsCount?: number | null;
  workCounts?: { open: number; overdue: number } | null;
}) {
  const { session, can, signOut } = useSession();
  const [opened, { toggle, close }] = useDisclosure();
  const pathname = usePathname();
  useGlobalHotkeys(GO_TO);

  const visible = (item: NavItem) => item.permissions.some((p) => can(p));
  const main = NAV.filter((i) => i.section === 'main' && visible(i));
  const admin = NAV.filter((i) => i.section === 'admin' && visible(i));

  const renderItem = (item: NavItem) => (
    <NavLink
      key={item.path}
      component={Link}
      to={item.path}
      label={item.label}
      active={pathname === item.path || pathname.startsWith(`${item.path}/`)}
      onClick={close}
      data-testid={`nav-${item.id}`}
      rightSection={
        item.id === 'approvals' && approvalsCount ? (
          <Badge
            size="sm"
            color="red"
            variant="filled"
            circle={approvalsCount < 10}
            data-testid="approvals-count"
          >
            {approvalsCount}
          </Badge>
        ) : item.id === 'my-work' && workCounts?.open ? (
          <Badge
            size="sm"
            color={workCounts.overdue ? 'red' : 'blue'}
            variant={workCounts.overdue ? 'filled' : 'light'}
            circle={workCounts.open < 10}
            title={`${workCounts.open} open task(s), ${workCounts.overdue} overdue`}
            data-testid="my-work-count"
          >
            {workCounts.open}
          </Badge>
        ) : item.hotkey ? (
          <Text className="pd-kbd-hint">{item.hotkey}</Text>
        ) : null
      }
      styles={{ root: { borderRadius: 4 } }}
    />
  );

  return (
    <AppShell
      header={{ height: 48 }}
      navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Group gap="sm">
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label="Toggle navigation"
            />
            <UnstyledButton onClick={() => navigate('/partners')}>
              <Text fw={700} c="blue.7">
                Partnerdesk
              </Text>
            </UnstyledButton>
          </Group>
          <Group gap="sm">
            <Tooltip
              label="Keyboard: / search · g w my work · g p partners · g b pipeline · g a approvals · Esc closes dialogs"
              withArrow
            >
              <Kbd size="xs" visibleFrom="sm">
                ?
              </Kbd>
            </Tooltip>
            <Menu position="bottom-end" withinPortal>
              <Menu.Target>
                <UnstyledButton data-testid="user-menu">
                  <Group gap={6}>
                    <Text size="sm" fw={500}>
                      {session.user.name}
                    </Text>
                    <Badge size="sm" variant="light" color="gray" data-testid="user-role">
                      {humanize(session.user.role)}
                    </Badge>
                  </Group>
                </UnstyledButton>
              </Menu.Target>
              <Menu.Dropdown>
                <Menu.Label>{session.user.email || 'API key'}</Menu.Label>
                {session.via === 'session' && (
                  <Menu.Item onClick={() => navigate('/account/password')} data-testid="change-password">
                    Change password
                  </Menu.Item>
                )}
                <Menu.Item color="red" onClick={() => void signOut()} data-testid="logout">
                  Sign out
                </Menu.Item>
              </Menu.Dropdown>
            </Menu>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs">
        <ScrollArea>
          {main.map(renderItem)}
          {admin.length > 0 && (
            <>
              <Text size="xs" fw={700} c="dimmed" tt="uppercase" mt="md" mb={4} px="sm">
                Admin
              </Text>
              {admin.map(renderItem)}
            </>
          )}
        </ScrollArea>
      </AppShell.Navbar>
      <AppShell.Main>{children}</AppShell.Main>
    </AppShell>
  );
}
