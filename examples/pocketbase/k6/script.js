// The PocketBase scenario of ../pocketbase_test.go, written by hand for k6
// as a k6 user would: readers browse posts anonymously, writers sign up,
// log in (raw token in Authorization), then write, edit and delete posts;
// 5 % of writes are deliberately bad. The superuser deletes what the run
// created in teardown. Not run by the project (k6 is not a dependency):
// it exists to compare the two in lines, see the README.
//
//   k6 run -e BASE=http://127.0.0.1:8090 -e ADMIN_EMAIL=... -e ADMIN_PASSWORD=... script.js
import http from 'k6/http';
import { check } from 'k6';
import exec from 'k6/execution';
import { randomIntBetween, randomItem } from 'https://jslib.k6.io/k6-utils/1.4.0/index.js';

const BASE = __ENV.BASE || 'http://127.0.0.1:8090';
const POSTS = `${BASE}/api/collections/posts/records`;
const RUN = __ENV.RUN_ID || `${Date.now()}`;
const ERROR_RATE = 0.05;

export const options = {
  scenarios: {
    reader: { executor: 'per-vu-iterations', vus: 18, iterations: 1, exec: 'reader', maxDuration: '1m' },
    writer: { executor: 'per-vu-iterations', vus: 12, iterations: 1, exec: 'writer', maxDuration: '1m' },
  },
  thresholds: {
    checks: ['rate>=0.99'],
    http_req_failed: ['rate<0.01'],
    'http_req_duration{name:GET /api/collections/posts/records/{id}}': ['p(95)<500'],
  },
};

// Expected answers per request: anything else counts as failed.
const ok = http.expectedStatuses({ min: 200, max: 299 });
const okOrGone = http.expectedStatuses({ min: 200, max: 299 }, 404);
const badRequest = http.expectedStatuses(400);

function json(body) {
  return { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
}

function params(name, token, expected) {
  const headers = { 'Content-Type': 'application/json' };
  if (token) {
    headers.Authorization = token; // PocketBase wants the raw token
  }
  return { headers, tags: { name }, responseCallback: expected || ok };
}

function parse(res) {
  try {
    return res.json();
  } catch (e) {
    return null;
  }
}

export function reader() {
  const requests = randomIntBetween(6, 30);
  let made = 0;
  while (made < requests) {
    const list = http.get(`${POSTS}?perPage=20`, params('GET /api/collections/posts/records'));
    made++;
    const page = parse(list);
    check(list, { 'is a page': () => page !== null && page.items !== undefined });
    if (!page || !page.items || page.items.length === 0 || made >= requests) {
      continue;
    }
    const id = randomItem(page.items).id;
    // 404: its writer may have deleted the post since the list.
    http.get(`${POSTS}/${id}`, params('GET /api/collections/posts/records/{id}', null, okOrGone));
    made++;
    if (made >= requests) {
      break;
    }
    const health = http.get(`${BASE}/api/health`, params('GET /api/health'));
    made++;
    const h = parse(health);
    check(health, { healthy: () => h !== null && h.code === 200 });
  }
}

function signUp() {
  const vu = exec.vu.idInTest;
  const email = `ts-${RUN}-${vu}@trafficsim.test`;
  const password = `pw-${RUN}-${vu}`;
  http.post(`${BASE}/api/collections/users/records`,
    JSON.stringify({ email, password, passwordConfirm: password }),
    params('POST /api/collections/users/records'));
  const login = http.post(`${BASE}/api/collections/users/auth-with-password`,
    JSON.stringify({ identity: email, password }),
    params('POST /api/collections/users/auth-with-password'));
  const auth = parse(login);
  check(login, { 'has token': () => auth !== null && typeof auth.token === 'string' });
  return auth && auth.token;
}

export function writer() {
  const requests = randomIntBetween(8, 30);
  const token = signUp();
  if (!token) {
    return;
  }
  const mine = [];
  for (let made = 2; made < requests; made++) {
    if (Math.random() < ERROR_RATE) {
      http.post(POSTS, JSON.stringify({ body: 'no title' }),
        params('POST /api/collections/posts/records', token, badRequest));
      continue;
    }
    if (mine.length > 0 && Math.random() < 0.2) {
      http.del(`${POSTS}/${mine.shift()}`, null, params('DELETE /api/collections/posts/records/{id}', token));
      continue;
    }
    if (mine.length > 0 && Math.random() < 0.3) {
      const title = `edited by ${exec.vu.idInTest}`;
      const res = http.patch(`${POSTS}/${mine[0]}`, JSON.stringify({ title }),
        params('PATCH /api/collections/posts/records/{id}', token));
      const post = parse(res);
      check(res, { 'title kept': () => post !== null && post.title === title });
      continue;
    }
    const res = http.post(POSTS, JSON.stringify({
      title: `post ${made} of user ${exec.vu.idInTest}`, body: 'hello', run: RUN,
    }), params('POST /api/collections/posts/records', token));
    const post = parse(res);
    check(res, { 'has id': () => post !== null && typeof post.id === 'string' });
    if (res.status === 200 && post) {
      mine.push(post.id);
    }
  }
}

// teardown deletes the run's users and posts, as the superuser.
export function teardown() {
  const login = http.post(`${BASE}/api/collections/_superusers/auth-with-password`,
    JSON.stringify({ identity: __ENV.ADMIN_EMAIL, password: __ENV.ADMIN_PASSWORD }), json({}));
  const auth = parse(login);
  if (!auth || !auth.token) {
    throw new Error(`cleanup: superuser login: status ${login.status}`);
  }
  const headers = { headers: { Authorization: auth.token } };
  const filters = { posts: `run='${RUN}'`, users: `email~'ts-${RUN}-'` };
  for (const collection of Object.keys(filters)) {
    const url = `${BASE}/api/collections/${collection}/records?perPage=500&filter=${encodeURIComponent(filters[collection])}`;
    const list = http.get(url, headers);
    if (list.status !== 200) {
      throw new Error(`cleanup: list ${collection}: status ${list.status}`);
    }
    for (const item of list.json().items) {
      const res = http.del(`${BASE}/api/collections/${collection}/records/${item.id}`, null, headers);
      if (res.status !== 204) {
        throw new Error(`cleanup: delete ${collection}/${item.id}: status ${res.status}`);
      }
    }
  }
}
