import { useEffect, useRef, useState, type RefObject } from 'react';
import { Alert, Button, Card, Descriptions, Form, Input, Result, Select, Space } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { currentLang } from '../../i18n';
import { RequireRole } from '../../desktop/RequireRole';
import { api } from '../../shared/api';
import { Icon } from '../../shared/Icon';
import { IdempotencyKeys } from '../../shared/idempotency';
import {
  categoryName,
  categoryWithIncludes,
  formatCivilDay,
  formatMoney,
  needsSerial,
  normaliseMoney,
  type ProgrammeRules,
  type Redemption,
  type VerifyResult,
} from '../../shared/redemption';
import { localised } from '../../shared/subsidies';
import { usePolled } from '../../shared/usePolled';
import { CameraScanner } from './CameraScanner';
import { RedemptionProblem } from './RedemptionProblem';
import { saleBody, type ConfirmForm } from './sale';
import './till.css';

const loadProgrammes = (signal: AbortSignal) => api.get<ProgrammeRules[]>('/subsidies/programmes', undefined, { signal });

const SCOPE = 'redemption.till.errors';

interface VerifyForm {
  code: string;
  category: string;
  price: string;
}

/** /counter/till: the cashier scans or types the resident's code, checks the subsidy, confirms the sale, gets a receipt. */
export function TillPage() {
  const { t } = useTranslation();
  return (
    <RequireRole title={t('redemption.till.title')} home="/counter" allow={(session) => session.isMerchant}>
      <Till />
    </RequireRole>
  );
}

type Checked = { request: { code: string; category: string; price: string }; result: VerifyResult };

function Till() {
  const { t } = useTranslation();
  const lang = currentLang();
  const programmes = usePolled('programmes', loadProgrammes, null);
  const [verifyForm] = Form.useForm<VerifyForm>();
  const [confirmForm] = Form.useForm<ConfirmForm>();
  const [scanning, setScanning] = useState(false);
  const [checking, setChecking] = useState(false);
  const [checked, setChecked] = useState<Checked | null>(null);
  const [verifyError, setVerifyError] = useState<unknown>(undefined);
  const [confirming, setConfirming] = useState(false);
  const [confirmError, setConfirmError] = useState<unknown>(undefined);
  const [receipt, setReceipt] = useState<Redemption | null>(null);
  const [scanned, setScanned] = useState(false);
  const keys = useRef(new IdempotencyKeys());
  const resultRef = useRef<HTMLDivElement>(null);
  const receiptRef = useRef<HTMLDivElement>(null);

  const withSerial = checked ? needsSerial(programmes.data, checked.request.category) : false;

  useEffect(() => {
    if (checked) resultRef.current?.focus();
  }, [checked]);
  useEffect(() => {
    if (receipt) receiptRef.current?.focus();
  }, [receipt]);

  async function verify(values: VerifyForm): Promise<void> {
    const price = normaliseMoney(values.price);
    if (!price) return;
    const request = { code: values.code.trim(), category: values.category, price };
    setChecking(true);
    setVerifyError(undefined);
    setConfirmError(undefined);
    setChecked(null);
    try {
      const result = await api.post<VerifyResult>('/merchant/redemptions/verify', { qrToken: request.code, category: request.category, price: request.price });
      setChecked({ request, result });
      // TI-31: the invoice shows the full price, the subsidy included.
      const previous = confirmForm.getFieldValue('invoiceAmount') as string | undefined;
      if (!previous || previous === checked?.request.price || !normaliseMoney(previous)) confirmForm.setFieldValue('invoiceAmount', price);
    } catch (error) {
      setVerifyError(error);
    } finally {
      setChecking(false);
    }
  }

  async function confirm(values: ConfirmForm): Promise<void> {
    if (!checked) return;
    const body = saleBody(checked.request, values, withSerial);
    setConfirming(true);
    setConfirmError(undefined);
    try {
      // The same body sent again (a retry after a lost answer) carries the same key, so the sale is made once.
      const sale = await api.post<Redemption>('/merchant/redemptions', body, { idempotencyKey: keys.current.keyFor(body) });
      keys.current.done();
      setReceipt(sale);
    } catch (error) {
      setConfirmError(error);
    } finally {
      setConfirming(false);
    }
  }

  function nextCustomer(): void {
    verifyForm.resetFields();
    confirmForm.resetFields();
    setChecked(null);
    setReceipt(null);
    setVerifyError(undefined);
    setConfirmError(undefined);
    setScanned(false);
    keys.current.done();
    setTimeout(() => document.getElementById('till-verify_code')?.focus(), 0);
  }

  /** Anything the checked sale depended on changed: the check no longer holds. */
  function onVerifyFieldsChange(): void {
    if (checked) setChecked(null);
    setVerifyError(undefined);
  }

  const categoryOptions = (programmes.data ?? []).map((programme) => ({
    label: <span>{localised(programme.name, lang)}</span>,
    title: localised(programme.name, lang),
    options: programme.categories.map((c) => ({ value: c.id, label: categoryWithIncludes(c, lang) })),
  }));

  if (receipt) {
    return (
      <div className="desktop-page till-page">
        <h1 className="desktop-title">{t('redemption.till.title')}</h1>
        <Receipt sale={receipt} programmes={programmes.data} refocus={receiptRef} onNext={nextCustomer} />
      </div>
    );
  }

  return (
    <div className="desktop-page till-page">
      <h1 className="desktop-title">{t('redemption.till.title')}</h1>
      <p className="desktop-intro">{t('redemption.till.intro')}</p>
      <p className="till-links">
        <Link to="/counter/sales">{t('redemption.till.salesLink')}</Link>
      </p>
      <div className="till-columns">
        <Card className="till-card" title={<h2 className="card-heading">{t('redemption.till.step1')}</h2>}>
          <Form<VerifyForm>
            form={verifyForm}
            name="till-verify"
            layout="vertical"
            requiredMark={false}
            onFinish={(values) => void verify(values)}
            onValuesChange={onVerifyFieldsChange}
            data-testid="verify-form"
          >
            <div className="till-scan-row">
              <Button icon={<Icon name="scan" />} size="large" onClick={() => setScanning(true)} disabled={scanning} data-testid="scan-button">
                {t('redemption.till.scan')}
              </Button>
              <span className="till-scan-note">{t('redemption.till.scanNote')}</span>
            </div>
            {scanning && (
              <CameraScanner
                onClose={() => setScanning(false)}
                onResult={(text) => {
                  setScanning(false);
                  setScanned(true);
                  verifyForm.setFieldValue('code', text);
                  onVerifyFieldsChange();
                }}
              />
            )}
            {scanned && (
              <p className="till-scanned" role="status">
                {t('redemption.till.scanned')}
              </p>
            )}
            <Form.Item
              name="code"
              label={t('redemption.till.code')}
              extra={t('redemption.till.codeHelp')}
              rules={[{ required: true, whitespace: true, message: t('redemption.till.codeRequired') }]}
            >
              <Input.TextArea autoSize={{ minRows: 2, maxRows: 5 }} spellCheck={false} autoComplete="off" className="till-code" data-testid="till-code" />
            </Form.Item>
            <Form.Item
              name="category"
              label={t('redemption.till.category')}
              extra={t('redemption.till.categoryHelp')}
              rules={[{ required: true, message: t('redemption.till.categoryRequired') }]}
            >
              <Select
                options={categoryOptions}
                placeholder={t('redemption.till.categoryPlaceholder')}
                loading={programmes.data === undefined}
                showSearch={{ optionFilterProp: 'label' }}
                data-testid="till-category"
              />
            </Form.Item>
            <Form.Item
              name="price"
              label={t('redemption.till.price')}
              rules={[
                { required: true, whitespace: true, message: t('redemption.till.priceRequired') },
                { validator: async (_, value: string | undefined) => (!value || normaliseMoney(value) ? undefined : Promise.reject(new Error(t('redemption.till.priceInvalid')))) },
              ]}
              extra={
                <ul className="till-price-help">
                  <li>{t('redemption.till.priceHelp.final')}</li>
                  <li>{t('redemption.till.priceHelp.notDeducted')}</li>
                  <li>{t('redemption.till.priceHelp.limit')}</li>
                </ul>
              }
            >
              <Input inputMode="decimal" autoComplete="off" suffix={t('redemption.till.yuan')} data-testid="till-price" />
            </Form.Item>
            <RedemptionProblem error={verifyError} scope={SCOPE} testId="verify-problem" />
            <Button type="primary" htmlType="submit" size="large" loading={checking} block data-testid="verify-button">
              {t('redemption.till.verify')}
            </Button>
          </Form>
        </Card>

        <Card className="till-card" title={<h2 className="card-heading">{t('redemption.till.step2')}</h2>}>
          {!checked && <p className="till-waiting">{t('redemption.till.waiting')}</p>}
          {checked && (
            <div ref={resultRef} tabIndex={-1} className="till-result" data-testid="verify-result" aria-labelledby="till-result-heading">
              <h3 id="till-result-heading" className="till-result-heading">
                {t('redemption.till.checked')}
              </h3>
              <dl className="till-amounts">
                <div>
                  <dt>{t('redemption.till.holder')}</dt>
                  <dd data-testid="verify-holder">{checked.result.holder}</dd>
                </div>
                <div>
                  <dt>{t('redemption.till.item')}</dt>
                  <dd>{categoryName(programmes.data, checked.result.category, lang)}</dd>
                </div>
                <div>
                  <dt>{t('redemption.till.finalPrice')}</dt>
                  <dd className="till-money" data-testid="verify-price">
                    {formatMoney(checked.result.price, lang)}
                    <span className="till-unit"> {t('redemption.till.yuan')}</span>
                  </dd>
                </div>
                <div>
                  <dt>{t('redemption.till.subsidy')}</dt>
                  <dd className="till-money till-subsidy" data-testid="verify-subsidy">
                    − {formatMoney(checked.result.subsidy, lang)}
                    <span className="till-unit"> {t('redemption.till.yuan')}</span>
                  </dd>
                </div>
                <div className="till-pay-row">
                  <dt>{t('redemption.till.payable')}</dt>
                  <dd className="till-money till-payable" data-testid="verify-payable">
                    {formatMoney(checked.result.payable, lang)}
                    <span className="till-unit"> {t('redemption.till.yuan')}</span>
                  </dd>
                </div>
              </dl>
              <p className="till-note">{t('redemption.till.collectNote')}</p>
            </div>
          )}
          <div hidden={!checked}>
            <Form<ConfirmForm>
              form={confirmForm}
              name="till-confirm"
              layout="vertical"
              requiredMark={false}
              onFinish={(values) => void confirm(values)}
              onValuesChange={() => setConfirmError(undefined)}
              data-testid="confirm-form"
            >
              <h3 className="till-form-heading">{t('redemption.till.confirmTitle')}</h3>
              <Form.Item
                name="orderId"
                label={t('redemption.till.orderId')}
                extra={t('redemption.till.orderIdHelp')}
                rules={[{ required: true, whitespace: true, message: t('redemption.till.required', { field: t('redemption.till.orderId') }) }, { max: 64 }]}
              >
                <Input autoComplete="off" data-testid="till-order" />
              </Form.Item>
              <Form.Item
                name="invoiceNumber"
                label={t('redemption.till.invoiceNumber')}
                extra={t('redemption.till.invoiceNumberHelp')}
                rules={[{ required: true, whitespace: true, message: t('redemption.till.required', { field: t('redemption.till.invoiceNumber') }) }, { max: 64 }]}
              >
                <Input autoComplete="off" data-testid="till-invoice-number" />
              </Form.Item>
              <Form.Item
                name="invoiceTitle"
                label={t('redemption.till.invoiceTitle')}
                extra={t('redemption.till.invoiceTitleHelp', { holder: checked?.result.holder ?? '' })}
                rules={[{ required: true, whitespace: true, message: t('redemption.till.required', { field: t('redemption.till.invoiceTitle') }) }, { max: 64 }]}
              >
                <Input autoComplete="off" data-testid="till-invoice-title" />
              </Form.Item>
              <Form.Item
                name="invoiceAmount"
                label={t('redemption.till.invoiceAmount')}
                extra={t('redemption.till.invoiceAmountHelp', { price: checked ? formatMoney(checked.request.price, lang) : '' })}
                rules={[
                  { required: true, whitespace: true, message: t('redemption.till.required', { field: t('redemption.till.invoiceAmount') }) },
                  { validator: async (_, value: string | undefined) => (!value || normaliseMoney(value) ? undefined : Promise.reject(new Error(t('redemption.till.priceInvalid')))) },
                ]}
              >
                <Input inputMode="decimal" autoComplete="off" suffix={t('redemption.till.yuan')} data-testid="till-invoice-amount" />
              </Form.Item>
              {withSerial && (
                <Form.Item
                  name="serial"
                  label={t('redemption.till.serial')}
                  extra={t('redemption.till.serialHelp')}
                  rules={[{ required: true, whitespace: true, message: t('redemption.till.required', { field: t('redemption.till.serial') }) }, { max: 64 }]}
                >
                  <Input autoComplete="off" spellCheck={false} data-testid="till-serial" />
                </Form.Item>
              )}
              <RedemptionProblem error={confirmError} scope={SCOPE} testId="confirm-problem" />
              <Space wrap className="till-actions">
                <Button type="primary" htmlType="submit" size="large" loading={confirming} data-testid="confirm-button">
                  {t('redemption.till.confirm')}
                </Button>
                <Button size="large" onClick={nextCustomer} data-testid="cancel-sale">
                  {t('redemption.till.cancel')}
                </Button>
              </Space>
            </Form>
          </div>
        </Card>
      </div>
    </div>
  );
}

function Receipt({
  sale,
  programmes,
  refocus,
  onNext,
}: {
  sale: Redemption;
  programmes: ProgrammeRules[] | undefined;
  refocus: RefObject<HTMLDivElement | null>;
  onNext: () => void;
}) {
  const { t } = useTranslation();
  const lang = currentLang();
  const digital = sale.activationPhoto !== 'not_required';
  return (
    <div ref={refocus} tabIndex={-1} className="till-receipt" data-testid="receipt" aria-labelledby="till-receipt-heading">
      <Result
        status="success"
        title={<h2 id="till-receipt-heading" className="till-receipt-heading">{t('redemption.till.receipt.title')}</h2>}
        subTitle={t('redemption.till.receipt.subtitle')}
      />
      <Card className="till-receipt-card">
        <dl className="till-amounts till-receipt-amounts">
          <div>
            <dt>{t('redemption.till.finalPrice')}</dt>
            <dd className="till-money">
              {formatMoney(sale.price, lang)}
              <span className="till-unit"> {t('redemption.till.yuan')}</span>
            </dd>
          </div>
          <div>
            <dt>{t('redemption.till.subsidy')}</dt>
            <dd className="till-money till-subsidy" data-testid="receipt-subsidy">
              − {formatMoney(sale.subsidy, lang)}
              <span className="till-unit"> {t('redemption.till.yuan')}</span>
            </dd>
          </div>
          <div className="till-pay-row">
            <dt>{t('redemption.till.paid')}</dt>
            <dd className="till-money till-payable" data-testid="receipt-payable">
              {formatMoney(sale.payable, lang)}
              <span className="till-unit"> {t('redemption.till.yuan')}</span>
            </dd>
          </div>
        </dl>
        <Alert
          type="info"
          showIcon
          className="till-deadline"
          title={<span data-testid="receipt-deadline">{t('redemption.till.receipt.deadline', { date: formatCivilDay(sale.deliveryDue, lang) })}</span>}
          description={
            <>
              <p>{t('redemption.till.receipt.deadlineHelp')}</p>
              {digital && <p>{t('redemption.till.receipt.photoHelp')}</p>}
              <p>{t('redemption.till.receipt.returns', { date: formatCivilDay(sale.returnCutoff, lang) })}</p>
            </>
          }
        />
        <Descriptions
          className="till-receipt-details"
          bordered
          column={1}
          size="small"
          items={[
            { key: 'item', label: t('redemption.till.item'), children: categoryName(programmes, sale.category, lang) },
            { key: 'order', label: t('redemption.till.orderId'), children: <span data-testid="receipt-order">{sale.orderId}</span> },
            { key: 'invoice', label: t('redemption.till.invoiceNumber'), children: sale.invoiceNumber },
            { key: 'amount', label: t('redemption.till.invoiceAmount'), children: `${formatMoney(sale.invoiceAmount, lang)} ${t('redemption.till.yuan')}` },
            ...(sale.serial ? [{ key: 'serial', label: t('redemption.till.serial'), children: sale.serial }] : []),
            { key: 'time', label: t('redemption.till.receipt.time'), children: sale.redeemedAt.replace('T', ' ').slice(0, 19) },
            { key: 'id', label: t('redemption.till.receipt.id'), children: <code>{sale.id}</code> },
          ]}
        />
      </Card>
      <Space wrap className="till-actions till-receipt-actions">
        <Button type="primary" size="large" onClick={onNext} data-testid="next-customer">
          {t('redemption.till.receipt.next')}
        </Button>
        <Button size="large" onClick={() => window.print()}>
          {t('redemption.till.receipt.print')}
        </Button>
        <Link to="/counter/sales" className="till-sales-link">
          {t('redemption.till.salesLink')}
        </Link>
      </Space>
    </div>
  );
}
