// Generated customers for the import benchmark: names, addresses and numbers written the way
// English, Czech and Arabic customer files write them (Czech diacritics, Arabic script, national
// phone formats), from a seeded generator so every run imports the same file.
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';

/** A small seeded generator (mulberry32): the same file on every run. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Locale {
  country: string;
  regions: string[];
  language: string;
  timeZone: string;
  first: string[];
  last: string[];
  streets: string[];
  localities: string[];
  domains: string[];
  /** A national mobile number as people write it, from eight random digits. */
  phone: (d: string) => string;
  postalCode: (n: number) => string;
  /** Latin letters for the local part of the e-mail address. */
  latin: (first: string, last: string) => string;
}

const ascii = (s: string) =>
  s
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z]/g, '');

const transliterated = new Map(
  Object.entries({
    محمد: 'mohammed',
    أحمد: 'ahmed',
    فاطمة: 'fatima',
    عائشة: 'aisha',
    خالد: 'khalid',
    مريم: 'maryam',
    عمر: 'omar',
    نورة: 'noura',
    يوسف: 'yousef',
    سارة: 'sara',
    العتيبي: 'alotaibi',
    القحطاني: 'alqahtani',
    الشمري: 'alshammari',
    الحربي: 'alharbi',
    الزهراني: 'alzahrani',
    الغامدي: 'alghamdi',
    المطيري: 'almutairi',
    الدوسري: 'aldosari',
  }),
);

const LOCALES: Locale[] = [
  {
    country: 'CZ',
    regions: ['CZ-10', 'CZ-20', 'CZ-64', 'CZ-80', 'CZ-31'],
    language: 'cs',
    timeZone: 'Europe/Prague',
    first: [
      'Jiří',
      'Žofie',
      'Tomáš',
      'Kateřina',
      'Lukáš',
      'Anežka',
      'Ondřej',
      'Markéta',
      'Vojtěch',
      'Růžena',
    ],
    last: ['Dvořák', 'Nováková', 'Černý', 'Procházková', 'Kučera', 'Veselá', 'Horák', 'Němcová', 'Šťastný'],
    streets: [
      'Vinohradská',
      'Křižíkova',
      'Údolní',
      'Náměstí Míru',
      'Třída Kpt. Jaroše',
      'Žižkova',
      'Palackého',
    ],
    localities: ['Praha', 'Brno', 'Ostrava', 'Plzeň', 'České Budějovice', 'Ústí nad Labem', 'Hradec Králové'],
    domains: ['seznam.cz', 'email.cz', 'příklad.cz', 'centrum.cz'],
    phone: (d) => `60${1 + (Number(d[0]) % 8)} ${d.slice(1, 4)} ${d.slice(4, 7)}`,
    postalCode: (n) => `${100 + (n % 700)} ${String(n % 100).padStart(2, '0')}`,
    latin: (f, l) => `${ascii(f)}.${ascii(l)}`,
  },
  {
    country: 'SA',
    regions: ['SA-01', 'SA-02', 'SA-04', 'SA-03'],
    language: 'ar',
    timeZone: 'Asia/Riyadh',
    first: ['محمد', 'أحمد', 'فاطمة', 'عائشة', 'خالد', 'مريم', 'عمر', 'نورة', 'يوسف', 'سارة'],
    last: ['العتيبي', 'القحطاني', 'الشمري', 'الحربي', 'الزهراني', 'الغامدي', 'المطيري', 'الدوسري'],
    streets: ['شارع الملك فهد', 'طريق الملك عبدالعزيز', 'شارع التحلية', 'شارع الأمير سلطان', 'طريق المدينة'],
    localities: ['الرياض', 'جدة', 'مكة المكرمة', 'الدمام', 'المدينة المنورة', 'الخبر'],
    domains: ['example.sa', 'mail.sa', 'بريد.السعودية'],
    // Arabic-Indic digits on one number in four, as Arabic Excel files often hold them.
    phone: (d) =>
      Number(d[7]) % 4 === 0
        ? `٠٥٠ ${[...d.slice(0, 3)].map((c) => String.fromCodePoint(0x660 + Number(c))).join('')} ${d.slice(3, 7)}`
        : `05${'0345689'[Number(d[0]) % 7]} ${d.slice(1, 4)} ${d.slice(4, 8)}`,
    postalCode: (n) => String(11000 + (n % 88000)),
    latin: (f, l) => `${transliterated.get(f) ?? 'user'}.${transliterated.get(l) ?? 'sa'}`,
  },
  {
    country: 'GB',
    regions: ['GB-LND', 'GB-MAN', 'GB-BIR', 'GB-EDH', 'GB-CRF'],
    language: 'en-GB',
    timeZone: 'Europe/London',
    first: ['Oliver', 'Amelia', 'George', 'Isla', 'Harry', 'Ava', 'Jack', 'Mia', 'Aoife', 'Noah'],
    last: ['Smith', 'Jones', 'Taylor', 'Brown', "O'Neill", 'Wilson', 'Evans', 'Thomas', 'Roberts'],
    streets: ['High Street', 'Station Road', 'Church Lane', 'Victoria Road', 'Green Lane', 'Manor Road'],
    localities: ['London', 'Manchester', 'Birmingham', 'Edinburgh', 'Cardiff', 'Bristol'],
    domains: ['example.co.uk', 'mail.example.com', 'post.example.org'],
    phone: (d) => `07${'4579'[Number(d[0]) % 4]}${d.slice(1, 3)} ${d.slice(3, 8)}${d[0]}`,
    postalCode: (n) => `SW${1 + (n % 20)} ${n % 10}AB`,
    latin: (f, l) => `${ascii(f)}.${ascii(l)}`,
  },
];

export const HEADER =
  'externalId,name,email,phone,street,locality,postalCode,addressCountry,country,region,language,timeZone,tags,consentEmail,consentSms';

const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** Writes `rows` generated customers as a UTF-8 CSV file with a header line; resolves with its size. */
export async function writeCustomers(file: string, rows: number, seed = 42): Promise<number> {
  const next = random(seed);
  const pick = <T>(list: T[]) => list[Math.floor(next() * list.length)]!;
  const out = createWriteStream(file);
  let bytes = 0;
  let chunk = `${HEADER}\n`;
  for (let i = 0; i < rows; i++) {
    const l = LOCALES[i % LOCALES.length]!;
    const first = pick(l.first);
    const last = pick(l.last);
    const digits = String(Math.floor(next() * 1e8)).padStart(8, '0');
    const n = Math.floor(next() * 1e6);
    const street =
      l.country === 'CZ'
        ? `${pick(l.streets)} ${1 + (n % 2500)}/${1 + (n % 40)}`
        : l.country === 'SA'
          ? `${1 + (n % 9000)} ${pick(l.streets)}`
          : `${1 + (n % 300)} ${pick(l.streets)}`;
    const fields = [
      `cust-${i}`,
      `${first} ${last}`,
      `${l.latin(first, last)}${n % 1000}@${pick(l.domains)}`,
      l.phone(digits),
      // One address in ten has a second line, in a quoted field with a newline.
      n % 10 === 0
        ? `${street}\n${l.country === 'SA' ? 'الدور الثاني' : l.country === 'CZ' ? '2. patro' : 'Flat 2'}`
        : street,
      pick(l.localities),
      l.postalCode(n),
      l.country,
      l.country,
      pick(l.regions),
      l.language,
      l.timeZone,
      n % 3 === 0 ? 'vip|newsletter' : n % 3 === 1 ? 'retail' : '',
      n % 2 ? 'yes' : 'no',
      n % 5 ? '0' : '1',
    ];
    chunk += `${fields.map(quote).join(',')}\n`;
    if (chunk.length > 1 << 20) {
      bytes += Buffer.byteLength(chunk);
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  bytes += Buffer.byteLength(chunk);
  out.end(chunk);
  await once(out, 'finish');
  return bytes;
}
