import { useMutation, useQueryClient } from '@tanstack/react-query'
import { useId, useRef, useState, type FormEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { Alert } from '../../ui/Alert'
import { errorMessage } from '../../ui/errorMessage'
import { downloadCsv, uploadCsv, type ImportResult } from './api'

/**
 * CSV export (a download) and, for those who may change the records, import: the file goes to the
 * server, which imports the good rows and lists each failed row with its line and reason.
 */
export function CsvTools({ kind, canImport }: { kind: 'contacts' | 'companies'; canImport: boolean }) {
  const { t } = useTranslation()
  const id = useId()
  const queryClient = useQueryClient()
  const fileRef = useRef<HTMLInputElement>(null)
  const [file, setFile] = useState<File | null>(null)
  const [fileError, setFileError] = useState<string | null>(null)

  const exporting = useMutation({ mutationFn: () => downloadCsv(`/${kind}/export`, `${kind}.csv`) })
  const importing = useMutation({
    mutationFn: (chosen: File) => uploadCsv(`/${kind}/import`, chosen),
    onSuccess: async () => {
      setFile(null)
      if (fileRef.current) fileRef.current.value = ''
      await queryClient.invalidateQueries({ queryKey: ['contacts'] })
      await queryClient.invalidateQueries({ queryKey: ['companies'] })
    },
  })

  const onImport = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault()
    if (!file) {
      setFileError(t('crm.csv.chooseFile'))
      return
    }
    setFileError(null)
    importing.mutate(file)
  }

  return (
    <details className="card crm-csv">
      <summary>{t('crm.csv.heading')}</summary>
      <div className="crm-csv-body">
        <div>
          <button type="button" className="btn" disabled={exporting.isPending} onClick={() => exporting.mutate()}>
            {exporting.isPending ? t('crm.csv.exporting') : t(`crm.csv.export.${kind}`)}
          </button>
          {exporting.isError ? <Alert>{errorMessage(exporting.error, t)}</Alert> : null}
        </div>
        {canImport ? (
          <form className="form" onSubmit={onImport} noValidate>
            <div className="field">
              <label htmlFor={`${id}-file`}>{t(`crm.csv.import.${kind}`)}</label>
              <input
                ref={fileRef}
                id={`${id}-file`}
                name="file"
                type="file"
                accept=".csv,text/csv"
                aria-describedby={`${id}-hint${fileError ? ` ${id}-error` : ''}`}
                aria-invalid={fileError ? true : undefined}
                onChange={(e) => setFile(e.target.files?.[0] ?? null)}
              />
              <p className="field-hint" id={`${id}-hint`}>
                {t(`crm.csv.hint.${kind}`)}
              </p>
              {fileError ? (
                <p className="field-error" id={`${id}-error`}>
                  {fileError}
                </p>
              ) : null}
            </div>
            <div className="actions">
              <button type="submit" className="btn" disabled={importing.isPending}>
                {importing.isPending ? t('crm.csv.importing') : t('crm.csv.importButton')}
              </button>
            </div>
          </form>
        ) : null}
        <div aria-live="polite">
          {importing.isError ? <Alert>{errorMessage(importing.error, t)}</Alert> : null}
          {importing.data ? <ImportSummary result={importing.data} /> : null}
        </div>
      </div>
    </details>
  )
}

function ImportSummary({ result }: { result: ImportResult }) {
  const { t } = useTranslation()
  return (
    <Alert tone={result.failed ? 'info' : 'success'}>
      <p>{t('crm.csv.result', { imported: result.imported, updated: result.updated, failed: result.failed })}</p>
      {result.errors.length ? (
        <ul className="crm-import-errors">
          {result.errors.map((error, index) => (
            <li key={index}>
              {t('crm.csv.rowError', { line: error.line })}
              {error.field ? ` (${error.field})` : ''}: {error.message}
            </li>
          ))}
        </ul>
      ) : null}
      {result.errors_truncated ? <p>{t('crm.csv.truncated')}</p> : null}
    </Alert>
  )
}
