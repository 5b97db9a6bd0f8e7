"""Index constants shared by the compiler, the kernel and the step modules.

The kernel keeps one scenario's state in two small float arrays that every step reads and
writes:

* ``rows`` (N_ROWS × max(N, F)): one value per tranche or fee in each row below;
* ``acc``: account scalars (cash in hand, the reserve, support usage, ...).

Numba freezes these module-level integers into the compiled code as constants.
"""

from __future__ import annotations

# --- rows of ``rows`` ----------------------------------------------------------------------------
#: Kept from period to period.
BAL = 0  # tranche balance (after the steps paid so far)
INT_ARR = 1  # interest left unpaid, brought forward (earns IoI when that option is on)
IOI_ARR = 2  # interest on unpaid interest left unpaid (never earns more)
FEE_ARR = 3  # fee/tax left unpaid, brought forward
COUPON = 4  # this scenario's annual coupon rate per tranche
OPEN_BAL = 5  # balance at the start of the period
#: Worked out at the start of each period (overwritten).
FEE_DUE = 6  # arrears + current fee
PAYABLE = 7  # what the fee steps may pay (FEE_DUE within the per-period cap)
INT_DUE = 8  # arrears + current interest (IoI excluded)
IOI_DUE = 9  # IoI arrears + IoI accrued this period
HARD_DUE = 10  # scheduled principal due (schedule, bullet, expected maturity, last period)
HAS_TARGET = 11  # 1.0 where the tranche has a principal target this period
YIELD_DUE = 12  # 次级期间收益 due
#: Zeroed at the start of each period (what the steps paid): FEE_PAID and FEE_SUP per fee,
#: INT_PAID … LAST_ZEROED per tranche.
FEE_PAID = 13
FEE_SUP = 14
INT_PAID = 15  # interest paid, IoI included
IOI_PAID = 16  # part of INT_PAID that paid IoI
INT_SUP = 17
HARD_PAID = 18
SOFT_PAID = 19
PRIN_SUP = 20
YIELD_PAID = 21
YIELD_RAN = 22
RESIDUAL = 23
#: Scratch rows for a step's group (needs and shares).
NEED = 24
SHARE = 25
SHORT = 26
N_ROWS = 27
LAST_ZEROED = RESIDUAL

# --- acc: account scalars -------------------------------------------------------------------
AVAIL = 0  # cash in hand
RESERVE = 1  # reserve account balance
RESERVE_OPEN = 2  # 1.0 while the reserve may be topped up
COM_USED = 3  # 差额支付 drawn over the life of the deal
GUA_USED = 4  # guarantee drawn over the life of the deal
COM_ON = 5  # 1.0 where 差额支付 is available this period
GUA_ON = 6
DRAW_RES = 7  # drawn this period, by source (reserve, 差额支付, guarantee)
DRAW_COM = 8
DRAW_GUA = 9
OWED_COM = 10  # draws not yet repaid
OWED_GUA = 11
REPAID_COM = 12  # repaid this period
REPAID_GUA = 13
DEPOSIT = 14  # reserve top-up this period
CARRY = 15  # cash carried into the period
RELEASE = 16  # reserve released into available funds this period
CUM_DEF = 17  # cumulative pool defaults
SEN_INT_UNPAID = 18  # 1.0 when senior interest was left unpaid last period
#: Revolving purchases (循环购买) and the pool balance as the steps see it.
IDLE = 19  # 闲置资金: cash set aside for purchases that found no eligible asset
IDLE_REL = 20  # idle cash of the period before, released into available funds
IDLE_INT = 21  # interest the idle cash earned (account rate)
NEG_CARRY = 22  # negative carry of that idle cash: its cost at the notes' coupon − interest
BUY0 = 23  # purchases this period (price paid): not data-linked
BUY1 = 24  # data-linked
BUDGET = 25  # cash the revolve steps set aside for purchases this period
POOL = 26  # pool balance at this point (initial pool + purchased assets)
DATA = 27  # its data-linked part
POOL_OPEN = 28  # pool balance after the purchases of the period before (pool yield test)
REV_ON = 29  # 1.0 while the revolving period runs (not ended, no event ever)
PRIN_COLL = 30  # principal collections of the period (total − income)
SUP0 = 31  # eligible supply this period (price), not data-linked / data-linked
SUP1 = 32
FACE0 = 33  # face bought per yuan of price this period, by class
FACE1 = 34
REV_ENDED = 35  # 1.0 once 提前摊还事件 has been on: the revolving period is over for good
N_ACC = 36

# --- pend: what the assets bought so far bring in each later period (N_PEND × T) -------------
PD_TOTAL = 0
PD_INCOME = 1
PD_DEFAULTS = 2
PD_BAL = 3  # pool balance of purchased assets at the end of the period
PD_DATA = 4  # its data-linked part
PD_RATE = 5  # 1 + 循环购买率 of the period (purchases / cash set aside; 0: nothing set aside)
PD_HI = 6  # column 0: one past the last column written (the next scenario zeroes only those)
N_PEND = 7

# --- support covers (bit numbers of a cover mask) ---------------------------------------------
COVER_TAXES = 0
COVER_FEES = 1
COVER_SENIOR_INTEREST = 2
COVER_SENIOR_PRINCIPAL = 3

# --- columns of a step-table row --------------------------------------------------------------
STEP_CODE = 0
STEP_OP_START = 1  # first operand in the operand array
STEP_OP_LEN = 2
STEP_PRO_RATA = 3
STEP_TURBO = 4
STEP_WAIT = 5
STEP_WIDTH = 6

# --- rounding conventions ---------------------------------------------------------------------
ROUND_NONE = 0
ROUND_HALF_UP = 1
ROUND_TRUNCATE = 2
LEFTOVER_FIRST = 0
LEFTOVER_LARGEST = 1

#: Money below half a fen counts as zero (balances repaid, nothing unpaid).
EPS = 0.005
#: Stands for "no cap" (finite, so that arithmetic on it never gives NaN).
NO_CAP = 1e18

# --- output lines of full mode: blocks of the (lines, T, S) array, offsets in ``off`` --------
LN_FEE_PAID = 0  # F rows each
LN_FEE_SHORT = 1
LN_FEE_SUP = 2
LN_INT_PAID = 3  # N rows each
LN_INT_SHORT = 4
LN_INT_SUP = 5
LN_IOI_PAID = 6
LN_IOI_SHORT = 7
LN_PRIN_PAID = 8
LN_PRIN_SHORT = 9
LN_PRIN_SUP = 10
LN_YIELD_PAID = 11
LN_YIELD_SHORT = 12
LN_RESIDUAL = 13
LN_DEPOSIT = 14  # one row each
LN_RELEASE = 15
LN_CARRY = 16
LN_DRAW = 17  # reserve, 差额支付, guarantee
LN_REPAID = 18  # 差额支付, guarantee
LN_PURCHASE = 19  # not data-linked, data-linked (price paid)
LN_IDLE = 20  # idle cash after the period
LN_IDLE_INT = 21
LN_NEG_CARRY = 22
LN_BUDGET = 23
LN_POOL = 24  # pool balance after the period's purchases (revolving deals)
LN_DATA = 25
LN_PCOLL = 26  # collections of purchased assets (in the period's collections)
LN_PINC = 27
LN_PDEF = 28
LN_REV_ON = 29  # 1.0 in revolving periods
N_LN = 30
#: Rows of each output block (F: fees, N: tranches), in LN_* order.
LN_ROWS = ("F", "F", "F") + ("N",) * 11 + (1, 1, 1, 3, 2, 2) + (1,) * 10

# --- measures: per tranche (S, N, N_M) ---------------------------------------------------------
M_LOSS = 0  # balance after the last period
M_SHORTFALL = 1  # loss + interest and 期间收益 left unpaid at the end
M_WAL = 2  # Σ t·P, then Σ t·P / Σ P at the end
M_WAL_DEN = 3  # Σ P
M_INT_PAID = 4
M_PRIN_PAID = 5
M_SUPPORT = 6  # support that paid the tranche's interest or principal
M_MIN_COV = 7  # lowest coverage (taxes, fees, interest through the tranche)
M_LIFE_CASH = 8
M_LIFE_OBL = 9
M_LIFE_COV = 10
M_MIN_COV_P = 11  # lowest coverage with scheduled principal
M_YIELD = 12  # yield at par (annual compounding) when asked for
M_SUB_YIELD_PAID = 13
M_RESIDUAL_PAID = 14
M_YIELD_SHORT = 15  # Σ 期间收益 left unpaid
N_M = 16

# --- measures: per scenario (S, N_TOT) ---------------------------------------------------------
T_DRAW_RES = 0
T_DRAW_COM = 1
T_DRAW_GUA = 2
T_REPAID_COM = 3
T_REPAID_GUA = 4
T_CASH_LEFT = 5  # cash carried out of the last period
T_MAX_GAP = 6  # largest |cash in − cash out| of a period
T_ACCELERATED = 7  # first accelerated period (−1 never)
T_PURCHASED = 8  # Σ revolving purchases (price)
T_IDLE_INT = 9  # Σ interest on idle cash
T_NEG_CARRY = 10  # Σ negative carry of idle cash
T_OUT_OF_BAND = 11  # first period the data-linked share left the issued kind's band (−1 never)
T_MIN_SHARE_BP = 12  # lowest data-linked share (basis points, floor) while securities are out
N_TOT = 13

#: Events (the order of ``abs.enums.EventType``).
EV_ACCELERATION = 0
EV_DEFAULT = 1
EV_SUPPORT_START = 2
EV_GUARANTEE_START = 3
EV_EARLY_AMORTISATION = 4
N_EV = 5

#: Conservation tolerance per scenario and period (yuan).
CONSERVATION_TOL = 0.01
#: Columns of ``Outputs.errors``: first failing period (−1: none), the value, what failed
#: (ERR_CONSERVATION: the gap; ERR_NOT_FINITE: a collections value, field in ERR_FIELD), and
#: the scenario's largest |cash in − cash out|.
ERR_PERIOD = 0
ERR_VALUE = 1
ERR_CODE = 2
ERR_FIELD = 3
ERR_MAX_GAP = 4
N_ERR = 5
ERR_CONSERVATION = 1.0
ERR_NOT_FINITE = 2.0
