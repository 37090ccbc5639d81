/** Path → page. */
import { useEffect } from 'react';
import { useI18n } from './i18n.js';
import { match, navigate } from './router.js';
import { ModelList } from './pages/models/ModelList.js';
import { ModelDetail } from './pages/models/ModelDetail.js';
import { VersionDetail } from './pages/models/VersionDetail.js';
import { ServiceList } from './pages/services/ServiceList.js';
import { ServiceCreate } from './pages/services/ServiceCreate.js';
import { ServiceDetail } from './pages/services/ServiceDetail.js';
import { CallPage } from './pages/services/CallPage.js';
import { TaskList } from './pages/tasks/TaskList.js';
import { TaskCreate } from './pages/tasks/TaskCreate.js';
import { TaskDetail } from './pages/tasks/TaskDetail.js';
import { ResourceGroups } from './pages/billing/ResourceGroups.js';
import { BatchList } from './pages/batch/BatchList.js';
import { BatchCreate } from './pages/batch/BatchCreate.js';
import { BatchDetail } from './pages/batch/BatchDetail.js';

export function Routes({ path }: { path: string }) {
  const { t } = useI18n();
  useEffect(() => {
    if (path === '/' || path === '') navigate('/models', { replace: true });
  }, [path]);
  let m: Record<string, string> | null;
  if (match('/models', path)) return <ModelList />;
  if ((m = match('/models/:name/versions/:version', path))) return <VersionDetail name={m.name!} version={m.version!} />;
  if ((m = match('/models/:name', path))) return <ModelDetail name={m.name!} />;
  if (match('/services', path)) return <ServiceList />;
  if (match('/services/new', path)) return <ServiceCreate />;
  if ((m = match('/services/:name/call', path))) return <CallPage name={m.name!} />;
  if ((m = match('/services/:name', path))) return <ServiceDetail name={m.name!} />;
  if (match('/resource-groups', path)) return <ResourceGroups />;
  if (match('/tasks', path)) return <TaskList />;
  if (match('/tasks/new', path)) return <TaskCreate />;
  if ((m = match('/tasks/:name', path))) return <TaskDetail name={m.name!} />;
  if (match('/batch-jobs', path)) return <BatchList />;
  if (match('/batch-jobs/new', path)) return <BatchCreate />;
  if ((m = match('/batch-jobs/:name', path))) return <BatchDetail name={m.name!} />;
  if (path === '/' || path === '') return null;
  return <p>{t('No such page.')}</p>;
}
