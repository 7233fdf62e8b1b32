// <roomkey-devices> with a fake client: the device list (this one, the others with last seen,
// revoke asks again), adding a device from pasted code text (the code to compare, "It doesn't
// match" sends nothing, "It matches" confirms once), and on a signed-out device its pairing QR,
// then the code, then "Paired". With an extension-backed client it points to the extension. Axe clean.
import '../../../components/index.ts';
import type { DeviceView, PairingApprovalFlow, PairingOfferFlow } from '../../../core/client/index.ts';
import { equal, ok } from '../../helpers/assert.ts';
import { expectNoAxeViolations } from '../helpers/a11y.ts';
import { $, $$, mount, settle, textOf, until } from '../helpers/dom.ts';
import { FakeExtensionClient, FakeRoomKeyClient } from '../helpers/fake-client.ts';

const OTHER = 'B'.repeat(43);
const TABLET = 'C'.repeat(43);
const TODAY = Math.floor(Date.now() / 86_400_000);
const QR_TEXT = `roomkey-pair:v1:${'A'.repeat(120)}`;

class DevicesClient extends FakeRoomKeyClient {
  devices: DeviceView[] = [
    {
      deviceKey: 'A'.repeat(43),
      name: 'Chromium on Linux',
      issuedAtMs: 1,
      lastSeenMs: Date.now(),
      lastSeenDay: TODAY,
      current: true,
      revokedAtMs: 0,
    },
    {
      deviceKey: OTHER,
      name: 'phone',
      issuedAtMs: 1,
      lastSeenMs: Date.now() - 5 * 60_000,
      lastSeenDay: TODAY,
      current: false,
      revokedAtMs: 0,
    },
    {
      deviceKey: TABLET,
      name: 'Firefox on Linux',
      issuedAtMs: 1,
      lastSeenMs: 0,
      lastSeenDay: TODAY - 3,
      current: false,
      revokedAtMs: 0,
    },
  ];
  log: string[] = [];
  resolveHello: (v: { code: string; username: string }) => void = () => undefined;
  resolveDone: (v: { userId: string; username: string }) => void = () => undefined;

  async listDevices(): Promise<DeviceView[]> {
    return this.devices;
  }
  async renameDevice(key: string, name: string): Promise<DeviceView[]> {
    this.log.push(`rename ${key} ${name}`);
    this.devices = this.devices.map((d) => (d.deviceKey === key ? { ...d, name: name.trim() } : d));
    return this.devices;
  }
  async revokeDevice(key: string): Promise<DeviceView[]> {
    this.log.push(`revoke ${key}`);
    this.devices = this.devices.map((d) => (d.deviceKey === key ? { ...d, revokedAtMs: 2 } : d));
    return this.devices;
  }
  async approvePairing(text: string): Promise<PairingApprovalFlow> {
    this.log.push(`approve ${text.slice(0, 16)}`);
    return {
      code: '042917',
      expiresAtMs: Date.now() + 60_000,
      confirm: async () => void this.log.push('confirm'),
      cancel: async () => void this.log.push('cancel'),
    };
  }
  async offerPairing(password: string): Promise<PairingOfferFlow> {
    this.log.push(`offer ${password}`);
    return {
      qrText: QR_TEXT,
      expiresAtMs: Date.now() + 120_000,
      hello: new Promise((resolve) => (this.resolveHello = resolve)),
      done: new Promise((resolve) => (this.resolveDone = resolve)),
      cancel: async () => void this.log.push('cancel offer'),
    };
  }
}

async function signedIn() {
  const client = new DevicesClient();
  client.signedInAs('alice');
  const el = await mount('roomkey-devices', { client });
  await until(() => $$(el, '[part=device]').length === 3 || undefined, 'three devices');
  return { client, el };
}

describe('<roomkey-devices>', () => {
  it('lists this device and the others with last seen; revoke asks again', async () => {
    const { client, el } = await signedIn();
    const rows = $$(el, '[part=device]');
    ok(/Chromium on Linux\s*This device/.test(rows[0]!.textContent ?? ''), rows[0]!.textContent ?? '');
    ok(/phone\s*Last seen today/.test(rows[1]!.textContent ?? ''), rows[1]!.textContent ?? '');
    ok(
      /Firefox on Linux\s*Last seen 3 days ago/.test(rows[2]!.textContent ?? ''),
      rows[2]!.textContent ?? '',
    );
    equal(rows[0]!.querySelectorAll('[part=revoke]').length, 0, 'this device cannot be revoked here');
    await expectNoAxeViolations(el, 'device list');
    rows[1]!.querySelector<HTMLElement>('[part=revoke]')!.click();
    await settle(el);
    equal(client.log.length, 0, 'the first click only asks');
    ok(/for good\?/.test(textOf(el, '[part=revoke]')));
    $(el, '[part=revoke]').click();
    await until(() => $$(el, '[part=device]').length === 2 || undefined, 'the revoked device is gone');
    equal(client.log.join(','), `revoke ${OTHER}`);
  });

  it('renames a device inline: the new name is shown; Cancel changes nothing', async () => {
    const { client, el } = await signedIn();
    const renameOf = (i: number) => $$(el, '[part=device]')[i]!.querySelector<HTMLElement>('[part=rename]')!;
    renameOf(1).click();
    await until(() => el.shadowRoot?.querySelector('[part=rename-input]'), 'the name field');
    equal($<HTMLInputElement>(el, '[part=rename-input]').value, 'phone', 'starts from the current name');
    await expectNoAxeViolations(el, 'rename form');
    $(el, '[part=cancel-rename]').click();
    await until(() => !el.shadowRoot?.querySelector('[part=rename-input]') || undefined, 'the form closes');
    equal(client.log.length, 0, 'Cancel sends nothing');
    renameOf(1).click();
    await until(() => el.shadowRoot?.querySelector('[part=rename-input]'), 'the name field');
    $<HTMLInputElement>(el, '[part=rename-input]').value = 'Work phone';
    $(el, '[part=save-name]').click();
    await until(() => /Work phone/.test(textOf(el, '[part=devices]')) || undefined, 'the new name');
    equal(client.log.join(','), `rename ${OTHER} Work phone`);
    ok(/Renamed to “Work phone”/.test(textOf(el, '[part=status]')), textOf(el, '[part=status]'));
    equal($$(el, '[part=rename-input]').length, 0, 'the form is gone');
    await expectNoAxeViolations(el, 'after rename');
  });

  it('adds a device from pasted code text: the code to compare; "It doesn’t match" sends nothing', async () => {
    const { client, el } = await signedIn();
    $(el, '[part=add-device]').click();
    await until(() => el.shadowRoot?.querySelector('[part=paste]'), 'paste field');
    const field = $<HTMLTextAreaElement>(el, '[part=paste]');
    field.value = QR_TEXT;
    $(el, '[part=read-code]').click();
    await until(() => el.shadowRoot?.querySelector('[part=code]'), 'the code');
    equal(textOf(el, '[part=code]'), '042 917');
    await expectNoAxeViolations(el, 'confirm view');
    $(el, '[part=cancel]').click();
    await until(() => client.log.includes('cancel') || undefined, 'cancelled');
    ok(!client.log.includes('confirm'), 'nothing was sent');
    ok(/nothing was sent/.test(textOf(el, '[part=status]')));
    $(el, '[part=add-device]').click();
    await until(() => el.shadowRoot?.querySelector('[part=paste]'), 'paste field');
    $<HTMLTextAreaElement>(el, '[part=paste]').value = QR_TEXT;
    $(el, '[part=read-code]').click();
    await until(() => el.shadowRoot?.querySelector('[part=confirm]'), 'confirm button');
    $(el, '[part=confirm]').click();
    await until(() => client.log.includes('confirm') || undefined, 'confirmed');
    equal(client.log.filter((l) => l === 'confirm').length, 1);
  });

  it('signed out: shows this device’s QR, then the code, then "Paired"', async () => {
    const client = new DevicesClient();
    const el = await mount('roomkey-devices', { client });
    await until(() => el.shadowRoot?.querySelector('[part=password]'), 'password field');
    $<HTMLInputElement>(el, '[part=password]').value = 'pw for this device';
    $(el, '[part=show-code]').click();
    await until(() => el.shadowRoot?.querySelector('svg[part=qr]'), 'the QR code');
    equal(textOf(el, '[part=qr-text]'), QR_TEXT);
    equal(client.log.join(','), 'offer pw for this device');
    await expectNoAxeViolations(el, 'offer view');
    client.resolveHello({ code: '123456', username: 'alice' });
    await until(() => el.shadowRoot?.querySelector('[part=code]'), 'the code');
    equal(textOf(el, '[part=code]'), '123 456');
    equal($$(el, 'svg[part=qr]').length, 0, 'the QR gives way to the code');
    const paired = new Promise((resolve) => el.addEventListener('roomkey-paired', resolve, { once: true }));
    client.resolveDone({ userId: 'u', username: 'alice' });
    await paired;
    await settle(el);
    ok(/Paired: signed in as alice/.test(textOf(el, '[part=status]')));
  });

  it('with the extension, points to its window instead of pairing in the page', async () => {
    const client = new FakeExtensionClient();
    client.signedInAs('alice');
    const el = await mount('roomkey-devices', { client });
    await settle(el);
    ok(/extension/.test(textOf(el)), textOf(el));
  });
});
