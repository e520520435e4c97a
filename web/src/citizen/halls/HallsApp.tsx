import { Route, Routes } from 'react-router-dom';
import { CitizenNotFound } from '../CitizenComingSoon';
import { HallsHome } from './HallsHome';
import { HallPage } from './HallPage';
import { TakeTicketPage } from './TakeTicketPage';
import { TicketPage } from './TicketPage';
import { MyHallsPage } from './MyHallsPage';
import { GuidePage } from './GuidePage';
import './halls.css';

/** The residents' service-hall pages (附近网点, 服务前指导, 取号, 我的排队), under /citizen/halls. */
export default function HallsApp() {
  return (
    <Routes>
      <Route index element={<HallsHome />} />
      <Route path="guide" element={<GuidePage />} />
      <Route path="mine" element={<MyHallsPage />} />
      <Route path="tickets/:ticketId" element={<TicketPage />} />
      <Route path=":hallId" element={<HallPage />} />
      <Route path=":hallId/take" element={<TakeTicketPage />} />
      <Route path="*" element={<CitizenNotFound />} />
    </Routes>
  );
}
